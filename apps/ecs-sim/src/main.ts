import { parseCli, USAGE } from './config/cli-options.js';
import { startEcsSim } from './start-ecs-sim.js';
import { NetnsVpcFabric } from './vpc/netns-vpc-fabric.js';

// `node dist/apps/ecs-sim/src/main.js [flags]`: runs ecs-sim until SIGINT/SIGTERM.
async function main(): Promise<void> {
  const { help, options, fabric } = parseCli(process.argv.slice(2), process.env);
  if (help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (fabric.kind === 'netns') {
    options.fabric = new NetnsVpcFabric({ netns: fabric.netns });
  }
  const sim = await startEcsSim(options);
  process.stdout.write(
    `${JSON.stringify({ msg: 'ecs-sim listening', endpoint: sim.endpoint, regionId: sim.regionId })}\n`,
  );
  const stop = () => {
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`ecs-sim: close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`ecs-sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
