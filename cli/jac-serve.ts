// The jac-serve command line. This file is the only place that exits the process.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { check } from './check.ts';
import { runFile, runFileWithData } from './run.ts';
import { UsageError } from './files.ts';

function fail(error: unknown): never {
  if (error instanceof UsageError) {
    process.stderr.write(`jac-serve: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

await yargs(hideBin(process.argv))
  .scriptName('jac-serve')
  .command(
    'check <paths..>',
    'Parse .jac files (a file, or every .jac file in a folder) and report every syntax error',
    (y) => y.positional('paths', { type: 'string', array: true, demandOption: true, describe: 'files or folders' }),
    (argv) => {
      try {
        const result = check(argv.paths as string[], (text) => process.stderr.write(text));
        process.exitCode = result.errors > 0 ? 1 : 0;
      } catch (error) {
        fail(error);
      }
    },
  )
  .command(
    'run <file>',
    'Run a Jac program: its output on stdout, an uncaught error on stderr (exit 1)',
    (y) =>
      y
        .positional('file', { type: 'string', demandOption: true, describe: 'the .jac file' })
        .option('max-steps', { type: 'number', default: 50_000_000, describe: 'loop iterations and ability runs allowed' })
        .option('max-seconds', { type: 'number', default: 60, describe: 'wall-clock time allowed' })
        .option('data', { type: 'string', describe: 'a data dir: run against its stored graph and save what the run changes' }),
    async (argv) => {
      try {
        const streams = { out: (t: string) => void process.stdout.write(t), err: (t: string) => void process.stderr.write(t) };
        const options = { maxSteps: argv.maxSteps, maxMillis: argv.maxSeconds * 1000 };
        const file = argv.file as string;
        process.exitCode = argv.data ? await runFileWithData(file, argv.data, streams, options) : runFile(file, streams, options);
      } catch (error) {
        fail(error);
      }
    },
  )
  .demandCommand(1, 'name a command: check or run')
  .strict()
  .help()
  .parseAsync();
