/**
 * The web viewer's build: `npm run build` writes a static site to dist/viewer (relative URLs, so it works
 * from any static host or sub-path); `npm run view` builds it and serves it on 127.0.0.1.
 *
 * The controller loaded at start-up is models/default-controller.json (with
 * models/default-muscle-controller.json, which the page offers as the muscle arm), validated here and
 * bundled packed (viewer/bundled-checkpoint.ts). Set REACH_CHECKPOINT=path/to/checkpoint.json to bundle
 * another one instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { parseCheckpoint } from './model/checkpoint.ts';
import { packCheckpoint } from './viewer/bundled-checkpoint.ts';

const repo = dirname(fileURLToPath(import.meta.url));
const checkpoint = resolve(repo, process.env.REACH_CHECKPOINT ?? 'models/default-controller.json');
/** The muscle-arm (arm26) controller the viewer offers next to the default, bundled as an asset too. */
const muscleCheckpoint = resolve(repo, 'models/default-muscle-controller.json');
if (!existsSync(checkpoint)) {
  throw new Error(
    `viewer: no controller checkpoint at ${checkpoint}; train one (node bin/reach.js train --out DIR) and set REACH_CHECKPOINT=DIR/checkpoint.json`,
  );
}

/** Virtual modules of the bundled controllers, by name; viewer/startup-checkpoint.ts imports them. */
const BUNDLED_PREFIX = 'virtual:bundled-checkpoint/';

/**
 * Serves each bundled controller as a module exporting it validated and packed (viewer/bundled-checkpoint.ts):
 * the build checks it with parseCheckpoint, as `reach run` and the page's file loading do, and a file that
 * fails stops the build with the reason; the page then unpacks it with no validation to run.
 */
export function bundledCheckpoints(files: Record<string, string>): Plugin {
  return {
    name: 'reach-bundled-checkpoints',
    resolveId(id) {
      return id.startsWith(BUNDLED_PREFIX) && id.slice(BUNDLED_PREFIX.length) in files ? `\0${id}` : null;
    },
    load(id) {
      if (!id.startsWith(`\0${BUNDLED_PREFIX}`)) return null;
      const file = files[id.slice(BUNDLED_PREFIX.length + 1)];
      this.addWatchFile(file);
      return `export default ${JSON.stringify(packCheckpoint(parseCheckpoint(readFileSync(file, 'utf8'), relative(repo, file))))};`;
    },
  };
}

/**
 * Links the default controller's chunk and the page's chunk (viewer/main.ts), which boot.ts imports
 * dynamically, and the chunks they import as modulepreload in the HTML head: the browser fetches and
 * compiles them while the entry chunk loads and runs, instead of starting when boot.ts calls import().
 */
function preloadPage(): Plugin {
  return {
    name: 'reach-preload-page',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === 'chunk');
        const page = chunks.find((c) => c.facadeModuleId?.endsWith('/viewer/main.ts'));
        if (!page) throw new Error('viewer build: no chunk for viewer/main.ts to preload');
        const controller = chunks.find((c) => c.facadeModuleId === `\0${BUNDLED_PREFIX}default`);
        if (!controller) throw new Error('viewer build: no chunk for the default controller to preload');
        const files = new Set<string>();
        const add = (file: string) => {
          const chunk = chunks.find((c) => c.fileName === file);
          if (!chunk || chunk.isEntry || files.has(file)) return;
          files.add(file);
          chunk.imports.forEach(add);
        };
        add(controller.fileName);
        add(page.fileName);
        return { html, tags: [...files].map((file) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${file}` }, injectTo: 'head' as const })) };
      },
    },
  };
}

export default defineConfig({
  plugins: [bundledCheckpoints({ default: checkpoint, muscle: muscleCheckpoint }), preloadPage()],
  root: resolve(repo, 'viewer'),
  base: './',
  publicDir: false,
  build: {
    outDir: resolve(repo, 'dist/viewer'),
    emptyOutDir: true,
    target: 'es2022',
    // pixi.js alone is ~600 kB minified; the viewer is one page, so one large chunk is expected.
    chunkSizeWarningLimit: 1200,
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
