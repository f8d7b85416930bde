// The shared ending of the command-line entry points: run main, turn a configuration problem into
// its message and exit code 2 (the code for usage, configuration and database errors).
import { ConfigError } from './config.ts';

export async function runCli(main: (argv: string[]) => Promise<number>): Promise<void> {
  // Output piped into a reader that stops early (`| head`): stop quietly, as other tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exitCode = 2;
  }
}
