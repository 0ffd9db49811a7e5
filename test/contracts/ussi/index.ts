// Lets `npx hardhat test test/contracts/ussi/` run this folder: Hardhat 2 hands the path to
// mocha's require, which resolves a directory to its index. Each file registers once (require cache).
import "./nav.test";
import "./attacks.test";
import "./erc20.test";
import "./roles.test";
import "./accounting.property.test";
import "./reentrancy.test";
