// `npm start`: build the desktop app and launch it on its embedded local database. npm installs
// the electron package without its binary; it is fetched here on first start where the internet
// is reachable. Where it cannot be (no internet), say so clearly and exit non-zero.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The binary's path, fetching it first when it was never downloaded; or null and why. */
function electronBinary() {
  let dir;
  try {
    dir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { path: null, why: 'the electron package is not installed (run npm install)' };
  }
  const pathFile = join(dir, 'path.txt');
  let why = '';
  if (!existsSync(pathFile) && process.env.ELECTRON_SKIP_BINARY_DOWNLOAD !== '1') {
    console.log('Fetching the Electron binary (first start)…');
    const fetch = spawnSync(process.execPath, [join(dir, 'install.js')], { encoding: 'utf8' });
    const lines = `${fetch.stderr ?? ''}\n${fetch.stdout ?? ''}`.split('\n');
    why = lines.find((l) => /error|failed/i.test(l))?.trim() ?? '';
  }
  if (!existsSync(pathFile)) return { path: null, why };
  const exe = join(
    process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(dir, 'dist'),
    readFileSync(pathFile, 'utf8').trim(),
  );
  return existsSync(exe) ? { path: exe, why: '' } : { path: null, why: `${exe} is missing` };
}

const electron = electronBinary();
if (!electron.path) {
  console.error(`
Orgdesk cannot start: the Electron binary is not installed.

npm installs the electron package without its binary and fetches the binary on first start,
but it could not be downloaded here${electron.why ? ` (${electron.why})` : ''}.

  * On a machine with internet:  npx electron --version   (fetches it; or reinstall with
    rm -rf node_modules/electron && npm install), then  npm start  again.
  * Meanwhile, the same console runs in a browser on the Orgdesk server:  npm run server
    and open the URL it prints.
`);
  process.exit(1);
}

const build = spawnSync('npm', ['run', 'build'], {
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const app = spawn(electron.path, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
app.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
