"use strict";
const Sequencer = require("@jest/test-sequencer").default;

/** Runs the e2e files in their numbered order (dev stacks, staging, production, engine restart). */
class NumberedSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => a.path.localeCompare(b.path));
  }
}
module.exports = NumberedSequencer;
