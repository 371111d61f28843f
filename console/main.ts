/**
 * The command-line entry point behind every npm script: `serve` (npm start), `ask`, `chat`, `eval`,
 * `eligibility`, `progress`. Each command lives in console/cli/<name>.ts and returns an exit code; errors
 * are printed as one clear line, never as a stack trace for expected failures.
 */
import { AppError } from '../db/index.ts';

type Command = { run(argv: string[]): Promise<number> };

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: () => import('./cli/serve.ts'),
  ask: () => import('./cli/ask.ts'),
  chat: () => import('./cli/chat.ts'),
  progress: () => import('./cli/progress.ts'),
  eval: () => import('./cli/eval.ts'),
  calibrate: () => import('./cli/calibrate.ts'),
  eligibility: () => import('./cli/eligibility.ts'),
  backup: () => import('./cli/backup.ts'),
};

async function main(): Promise<number> {
  const [name, ...argv] = process.argv.slice(2);
  const load = name ? COMMANDS[name] : undefined;
  if (!load) {
    process.stderr.write(`用法 usage: tsx console/main.ts <${Object.keys(COMMANDS).join('|')}> [参数]\n`);
    return 2;
  }
  const command = await load();
  return command.run(argv);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    const e = AppError.wrap(err);
    process.stderr.write(`错误 error [${e.code}]: ${e.message}\n`);
    if (e.code === 'internal' && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = 1;
  },
);
