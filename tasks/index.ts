// Every task module registers itself on import; hardhat.config.ts imports this file only.
import "./ssi";
import "./index-token";
import "./rebalance";
import "./mvrv";
import "./sanx";
import "./ussi";
import "./bench";
import "./guardian";
import "./report";
import "./keeper";
import { compileBeforeChainTasks, hideStacksOfKnownErrors, noColourWhenPiped } from "./lib/cli";

// After every task is registered: chain tasks compile first; user errors print no stack trace;
// no colour codes in a file or a pipe.
compileBeforeChainTasks();
hideStacksOfKnownErrors();
noColourWhenPiped();
