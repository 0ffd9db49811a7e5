/**
 * The chain layer's client (chain/client.ts) and the tasks' client from the Hardhat runtime
 * (tasks/lib/client.ts): the same operations run over either.
 */
import { expect } from "chai";
import hre from "hardhat";
import { Wallet } from "ethers";
import { clientFromUrl, firstSigner } from "../../chain/client";
import { clientFromHre } from "../../tasks/lib/client";
import { firstSigner as taskSender } from "../../tasks/lib/args";
import { SsiError } from "../../src/lib/errors";

describe("chain/client", () => {
  it("clientFromHre: the network's name, a provider that forwards raw JSON-RPC, local, the accounts", async () => {
    const client = clientFromHre(hre);
    expect(client.network).to.equal("hardhat");
    expect(client.local).to.equal(true);
    expect(await client.provider.send("eth_chainId", [])).to.equal("0x7a69");
    const signers = await client.signers();
    expect(signers.map((s) => s.address)).to.deep.equal((await hre.ethers.getSigners()).map((s) => s.address));
    expect((await firstSigner(client)).address).to.equal(signers[0]!.address);
  });

  it("clientFromUrl: local only on a development chain, signing with exactly the keys given", async () => {
    const key = Wallet.createRandom().privateKey;
    const local = clientFromUrl("http://127.0.0.1:1", "anvil", [key]);
    expect(local.local).to.equal(true);
    expect((await local.signers()).map((s) => s.address)).to.deep.equal([new Wallet(key).address]);
    const remote = clientFromUrl("http://127.0.0.1:1", "sepolia");
    expect(remote.local).to.equal(false);
    for (const c of [local, remote]) (c.provider as unknown as { destroy(): void }).destroy();
  });

  it("a read-only client names the missing key when asked to send; the task says it without a stack trace", async () => {
    const readOnly = clientFromUrl("http://127.0.0.1:1", "sepolia");
    await expect(firstSigner(readOnly)).to.be.rejectedWith(SsiError, /no account to send from on sepolia: set DEPLOYER_KEY/);
    (readOnly.provider as unknown as { destroy(): void }).destroy();
    const noAccounts = { ...hre, network: { ...hre.network, name: "sepolia" }, ethers: { ...hre.ethers, getSigners: async () => [] } } as unknown as typeof hre;
    const e = await taskSender(noAccounts).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(e?.name).to.equal("HardhatPluginError");
    expect(e?.message).to.match(/no account to send from on sepolia: set DEPLOYER_KEY .*reading tasks such as index:status need only the RPC URL/);
  });
});
