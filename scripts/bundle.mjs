// Bundles the CLI (compiled dist/ code and its dependencies) with esbuild into dist/bundle/ (ADR 0025):
// one entry for oclif's runner (main.js) and one per command (commands/<topic>/<name>.js), sharing
// chunks, so a cold start reads a few files instead of hundreds and still loads only the command it
// runs. bin/run.js runs dist/bundle/main.js when it is there, which points oclif's command discovery
// (pattern strategy + oclif.manifest.json, unchanged) at dist/bundle/commands. dist/bundle/fast.cjs is
// the start-up fast path (ADR 0033), one CommonJS file without oclif. Without a bundle,
// everything runs from dist/ as compiled. Usage: node scripts/bundle.mjs
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** Dependencies bundled: oclif (CommonJS, loaded statically) and the pure-ESM packages the hot path loads. */
const BUNDLED = new Set(['@oclif/core', 'jose', 'chalk']);
const dist = join(root, 'dist');
const finalDir = join(dist, 'bundle');
// Built beside, then swapped in, so a CLI started during a rebuild never sees half a bundle.
const outdir = join(dist, `bundle.tmp-${process.pid}`);

/** Every command file under dist/commands → its oclif id (policy/packs/list.js → policy:packs:list). */
function commandFiles(dir = join(dist, 'commands')) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...commandFiles(p));
    else if (name.endsWith('.js')) out.push({ id: relative(join(dist, 'commands'), p).slice(0, -3).split(sep).join(':'), file: p });
  }
  return out;
}

const commands = commandFiles();

// The runner entry: oclif's execute, with command discovery pointed at the bundled commands.
writeFileSync(
  join(dist, 'bundle-entry.js'),
  `import { fileURLToPath } from 'node:url';
import { Config } from '@oclif/core/config';
import { run } from '@oclif/core/run';
import { flush } from '@oclif/core/flush';
import { handle } from '@oclif/core/handle';
globalThis.__mcBundleRoot = new URL('./', import.meta.url).href;
/** oclif's execute(), with each command of the manifest loaded from its bundled entry. */
export async function execute() {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  try {
    const config = await Config.load({ root });
    for (const c of Object.values(config.rootPlugin.manifest.commands)) {
      if (c.relativePath && c.relativePath[0] === 'dist' && c.relativePath[1] === 'commands') c.relativePath = ['dist', 'bundle', ...c.relativePath.slice(1)];
    }
    await run(process.argv.slice(2), config);
    flush();
  } catch (error) {
    await handle(error);
  }
}
`,
);

let bundled = false;
if (!process.argv.includes('--no-bundle')) {
  try {
    const esbuild = await import('esbuild');
    mkdirSync(outdir, { recursive: true });
    // Our modules find their assets (migrations, profiles, prices) next to themselves: keep their
    // import.meta.url pointing at their dist/ location, relative to the chunk, so dist stays movable.
    const keepMetaUrl = {
      name: 'keep-import-meta-url',
      setup(build) {
        build.onLoad({ filter: /[\\/]dist[\\/](src|commands)[\\/].*\.js$/ }, (args) => {
          const text = readFileSync(args.path, 'utf8');
          if (!text.includes('import.meta.url')) return undefined;
          // Chunks sit at different depths: resolve against the bundle root main.js records.
          const rel = relative(outdir, args.path).split(sep).join('/');
          return {
            contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, globalThis.__mcBundleRoot).href`),
            loader: 'js',
            resolveDir: dirname(args.path),
          };
        });
      },
    };
    const external = [
      ...Object.keys(pkg.dependencies)
        .filter((d) => !BUNDLED.has(d))
        .flatMap((d) => [d, `${d}/*`]),
      'typescript',
      'ts-node',
      'tsx',
      'fsevents',
    ];
    await esbuild.build({
      entryPoints: {
        main: join(dist, 'bundle-entry.js'),
        ...Object.fromEntries(commands.map((c) => [`commands/${c.id.split(':').join('/')}`, c.file])),
      },
      outdir,
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
      // Only oclif (hundreds of small CommonJS files, the bulk of start-up), jose and chalk (ESM) and
      // our own code are bundled; every other dependency loads from node_modules as it does
      // unbundled, so its CommonJS/ESM interop is Node's own, not esbuild's (which broke
      // `const { X } = await import('@sigstore/sign')`).
      external,
      banner: { js: "import { createRequire as __mcCreateRequire } from 'node:module'; const require = __mcCreateRequire(import.meta.url);" },
      plugins: [keepMetaUrl],
    });
    // The start-up fast path (ADR 0033): --version, whoami and status without oclif, as one CommonJS
    // file that bin/run.js loads through vm.Script with a V8 code cache (src/cli/code-cache.ts). Its
    // first line records its sha256, which keys the cache.
    // better-sqlite3 (CommonJS) is bundled into fast.cjs too, so its files come from the code cache
    // rather than a dozen resolutions and reads. Its addon is then found the way the `bindings` package
    // finds it (build/, build/Debug/, build/Release/, in that order), from the package's own directory:
    // bundled, `bindings` would look beside fast.cjs. If a new better-sqlite3 loads its addon some
    // other way, it simply stays external.
    const sqliteLib = join(root, 'node_modules', 'better-sqlite3', 'lib', 'database.js');
    const BINDINGS_CALL = "require('bindings')('better_sqlite3.node')";
    const sqliteInline = existsSync(sqliteLib) && readFileSync(sqliteLib, 'utf8').includes(BINDINGS_CALL);
    const fastExternal = sqliteInline ? external.filter((e) => e !== 'better-sqlite3') : external;
    const sqliteAddon = {
      name: 'better-sqlite3-addon',
      setup(build) {
        build.onLoad({ filter: /[\\/]better-sqlite3[\\/]lib[\\/]database\.js$/ }, (args) => ({
          contents: `${readFileSync(args.path, 'utf8').replace(BINDINGS_CALL, '__mcSqliteAddon()')}
function __mcSqliteAddon() {
  const fs = require('node:fs');
  const path = require('node:path');
  const pkg = path.dirname(require.resolve('better-sqlite3/package.json'));
  const at = (...p) => path.join(pkg, ...p, 'better_sqlite3.node');
  if (fs.existsSync(at('build', 'Release')) && !fs.existsSync(at('build')) && !fs.existsSync(at('build', 'Debug'))) return require(at('build', 'Release'));
  return require('bindings')({ bindings: 'better_sqlite3.node', module_root: pkg });
}
`,
          loader: 'js',
          resolveDir: dirname(args.path),
        }));
      },
    };
    await esbuild.build({
      entryPoints: [join(dist, 'src', 'cli', 'fast-path.js')],
      outfile: join(outdir, 'fast.cjs'),
      bundle: true,
      format: 'cjs',
      // Less to read and hash at every start; names stay (stack traces under MAESTRO_DEBUG=1).
      minifyWhitespace: true,
      minifySyntax: true,
      charset: 'ascii', // the loader reads it as latin1, which is faster than decoding UTF-8
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
      external: fastExternal,
      plugins: [keepMetaUrl, ...(sqliteInline ? [sqliteAddon] : [])],
    });
    // V8 drops a script's dynamic-import callback when it comes from a code cache (the call then throws
    // ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so fast.cjs has no import(): built-in modules are
    // required, and packages are imported through __mcImport, which the loader passes in.
    const fastText = readFileSync(join(outdir, 'fast.cjs'), 'utf8').replace(/\bimport\(("[^"]+")\)/g, (_, spec) =>
      spec.startsWith('"node:') ? `Promise.resolve(require(${spec}))` : `__mcImport(${spec})`,
    );
    if (!isAscii(Buffer.from(fastText))) throw new Error('fast.cjs is not ASCII; the loader reads it as latin1');
    if (/\bimport\(/.test(fastText)) throw new Error('fast.cjs: a dynamic import() with a computed specifier is left; the code cache would break it');
    writeFileSync(join(outdir, 'fast.cjs'), `// maestro-bundle-sha256:${createHash('sha256').update(fastText).digest('hex')}\n${fastText}`);
    // The V8 code cache bin/run.js may write beside the bundle (dist/bundle/cache) is never packed.
    writeFileSync(join(outdir, '.npmignore'), 'cache/\n');
    const old = `${finalDir}.old-${process.pid}`;
    if (existsSync(finalDir)) renameSync(finalDir, old);
    renameSync(outdir, finalDir);
    rmSync(old, { recursive: true, force: true });
    bundled = true;
  } catch (err) {
    console.error(`bundle: not built (${err.message}); bin/run.js uses the unbundled dist/`);
    rmSync(outdir, { recursive: true, force: true });
    rmSync(finalDir, { recursive: true, force: true }); // never run a stale bundle
  }
}
console.log(`bundle: ${commands.length} commands${bundled ? `, bundled into ${relative(root, finalDir)}/` : ', unbundled'}`);
