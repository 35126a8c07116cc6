"""Excel bills of materials: a template to fill in, and a reader whose errors name the cell.

The workbook is the spreadsheet twin of the flat CSV form (:mod:`footprint.inventory.csv_reader`):

* sheet ``Product``: columns ``field`` and ``value``, one row per product field (``sources`` separated
  by ``;``; parameters as rows ``parameter:<name>``);
* sheet ``Inputs``: columns ``stage, item, amount, unit, background, location, gas, origin``. A row
  with ``gas`` is a direct emission; any other row is an input from the background activity whose id
  or exact name is in ``background``;
* sheet ``Help``: the columns in plain words (not read).

Everything belongs to one process, id ``product``, that makes ``declared_amount declared_unit``.
Sheet names and headers are case-insensitive; blank rows, rows whose first cell starts with ``#`` and
columns whose header starts with ``#`` are ignored.

Reading errors name the cell, e.g.
``bom.xlsx, sheet 'Inputs', row 7, column 'unit': unknown unit 'kgg' (...). Fix: ...``.
Errors found later, when the engine links the inventory to a background, go through
:meth:`Inventory.where`, which knows only line numbers: they read
``bom.xlsx, line 7, processes[0].inputs[3].background``, where *line 7* is row 7 of the ``Inputs``
sheet (of the ``Product`` sheet for ``product.*`` paths).

Modules: :mod:`~footprint.inventory.excel.layout` (sheet names and fields),
:mod:`~footprint.inventory.excel.template` (the writer), :mod:`~footprint.inventory.excel.reader`
(the reader) and :mod:`~footprint.inventory.excel.cells` (cell locations and values).
"""

from __future__ import annotations

from footprint.inventory.excel.layout import PRODUCT_FIELDS
from footprint.inventory.excel.reader import read_excel
from footprint.inventory.excel.template import write_template

__all__ = ["PRODUCT_FIELDS", "read_excel", "write_template"]
