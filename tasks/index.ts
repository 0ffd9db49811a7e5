// Every task module registers itself on import; hardhat.config.ts imports this file only.
import "./ssi";
import "./index-token";
import "./rebalance";
import "./mvrv";
import "./sanx";
import "./ussi";
import "./bench";
import "./report";
