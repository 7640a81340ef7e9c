// The jac-serve command line. This file is the only place that exits the process.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { check } from './check.ts';
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
  .demandCommand(1, 'name a command: check')
  .strict()
  .help()
  .parseAsync();
