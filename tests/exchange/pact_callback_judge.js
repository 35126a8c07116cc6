#!/usr/bin/env node
// Judges cases 13 and 14.B of the PACT conformance tester with the tester's own code: its
// EventHandler (src/services/event-handler.ts), which the hosted service runs on the events a
// server under test sends back to it, over its in-memory ConsoleTestStorage.
//
// Usage: node pact_callback_judge.js TESTER_DIR < input.json
//   input: {"testRunId": ..., "productIds": [...], "events": [{"path": "/3/events", "event": {...}}]}
// Prints one line "RESULTS <json>": the test run's results (testKey, status, errorMessage).
"use strict";
const path = require("path");
const fs = require("fs");

const tester = process.argv[2];
if (!tester) {
  console.error("usage: pact_callback_judge.js TESTER_DIR < input.json");
  process.exit(2);
}
require(path.join(tester, "node_modules", "ts-node")).register({
  transpileOnly: true,
  project: path.join(tester, "tsconfig.json"),
});
const { ConsoleTestStorage } = require(path.join(tester, "src", "services", "console-test-storage"));
const { EventHandler } = require(path.join(tester, "src", "services", "event-handler"));

async function main() {
  const input = JSON.parse(fs.readFileSync(0, "utf8"));
  const storage = new ConsoleTestStorage();
  // The test run as the tester's worker saves it (test-run-worker.ts): its id, the spec
  // version and the productIds of the first footprint it listed.
  await storage.saveTestRun({
    testRunId: input.testRunId,
    organizationName: "local-conformance-run",
    techSpecVersion: "V3.0",
    timestamp: new Date().toISOString(),
    status: "FAIL",
    data: { productIds: input.productIds },
  });
  const handler = new EventHandler(storage);
  for (const received of input.events) {
    await handler.processEvent(received.event, received.path);
  }
  const run = await storage.getTestRunWithResults(input.testRunId);
  const results = run.results.map((r) => ({
    testKey: r.testKey,
    status: r.status,
    errorMessage: r.errorMessage || "",
  }));
  process.stdout.write("RESULTS " + JSON.stringify(results) + "\n");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
