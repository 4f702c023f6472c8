/**
 * The web viewer's build: `npm run build` writes a static site to dist/viewer (relative URLs, so it works
 * from any static host or sub-path); `npm run view` builds it and serves it on 127.0.0.1.
 *
 * The controller loaded at start-up is models/default-controller.json, bundled as an asset (with
 * models/default-muscle-controller.json, which the page offers as the muscle arm). Set
 * REACH_CHECKPOINT=path/to/checkpoint.json to bundle another one instead.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const repo = dirname(fileURLToPath(import.meta.url));
const checkpoint = resolve(repo, process.env.REACH_CHECKPOINT ?? 'models/default-controller.json');
/** The muscle-arm (arm26) controller the viewer offers next to the default, bundled as an asset too. */
const muscleCheckpoint = resolve(repo, 'models/default-muscle-controller.json');
if (!existsSync(checkpoint)) {
  throw new Error(
    `viewer: no controller checkpoint at ${checkpoint}; train one (node bin/reach.js train --out DIR) and set REACH_CHECKPOINT=DIR/checkpoint.json`,
  );
}

/**
 * Links the page's chunk (viewer/main.ts, which boot.ts imports dynamically) and the chunks it imports as
 * modulepreload in the HTML head: the browser fetches and compiles them while the entry chunk loads and
 * runs, instead of starting when boot.ts calls import().
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
        const files = new Set<string>();
        const add = (file: string) => {
          const chunk = chunks.find((c) => c.fileName === file);
          if (!chunk || chunk.isEntry || files.has(file)) return;
          files.add(file);
          chunk.imports.forEach(add);
        };
        add(page.fileName);
        return { html, tags: [...files].map((file) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${file}` }, injectTo: 'head' as const })) };
      },
    },
  };
}

export default defineConfig({
  plugins: [preloadPage()],
  root: resolve(repo, 'viewer'),
  base: './',
  publicDir: false,
  resolve: {
    alias: [
      { find: /^@default-controller(?=\?|$)/, replacement: checkpoint },
      { find: /^@default-muscle-controller(?=\?|$)/, replacement: muscleCheckpoint },
    ],
  },
  build: {
    outDir: resolve(repo, 'dist/viewer'),
    emptyOutDir: true,
    target: 'es2022',
    // pixi.js alone is ~600 kB minified; the viewer is one page, so one large chunk is expected.
    chunkSizeWarningLimit: 1200,
  },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', fs: { allow: [repo, dirname(checkpoint)] } },
  preview: { host: '127.0.0.1' },
});
