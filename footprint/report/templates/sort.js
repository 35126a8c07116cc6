/* Sort tables with class "sortable" by clicking a column heading. No dependencies. */
(function () {
  "use strict";
  function key(cell, numeric) {
    if (!cell) { return numeric ? NaN : ""; }
    if (numeric) {
      var raw = cell.getAttribute("data-value");
      return raw === null ? NaN : parseFloat(raw);
    }
    return cell.textContent.trim().toLowerCase();
  }
  function compare(a, b, numeric) {
    if (numeric) {
      if (isNaN(a)) { return isNaN(b) ? 0 : 1; }
      if (isNaN(b)) { return -1; }
      return a - b;
    }
    return a < b ? -1 : (a > b ? 1 : 0);
  }
  var tables = document.querySelectorAll("table.sortable");
  Array.prototype.forEach.call(tables, function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, column) {
      var button = th.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = th.getAttribute("data-type") === "number";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
          return { row: row, key: key(row.cells[column], numeric), index: index };
        });
        rows.sort(function (x, y) {
          var blank = numeric && (isNaN(x.key) || isNaN(y.key));
          var order = compare(x.key, y.key, numeric);
          if (!ascending && !blank) { order = -order; }
          return order || x.index - y.index;
        });
        var fragment = document.createDocumentFragment();
        rows.forEach(function (item) { fragment.appendChild(item.row); });
        body.appendChild(fragment);
      });
    });
  });
}());
