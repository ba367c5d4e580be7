import { EXIT, usageError, type ExitCode } from './exit-codes.js';
import { mainHelp } from './help.js';
import { reportFailure, runNode, type CliIo } from './run-node.js';

/** `evmesh <command> …`: resolves with the process's exit code. */
export async function cli(argv: readonly string[], io: CliIo, version: () => string): Promise<ExitCode> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        io.err(mainHelp());
        return EXIT.usage;
      case '-h':
      case '--help':
      case 'help':
        io.out(mainHelp());
        return EXIT.ok;
      case '-v':
      case '--version':
        io.out(`${version()}\n`);
        return EXIT.ok;
      case 'node':
        return await runNode(rest, io);
      default:
        throw usageError(JSON.stringify(command), 'unknown command (commands: node; see evmesh --help)');
    }
  } catch (err) {
    return reportFailure(err, io);
  }
}
