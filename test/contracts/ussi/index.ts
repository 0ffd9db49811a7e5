// Lets `npx hardhat test test/contracts/ussi/` run this folder: Hardhat 2 hands the path to
// mocha's require, which resolves a directory to its index. Each file registers once (require cache).
import "./nav.test";
import "./flows.test";
import "./roles.test";
import "./rounding.property.test";
import "./invariants.property.test";
import "./reentrancy.test";
import "./index-mint.test";
