import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express } from 'express';

/**
 * The web console's static files at /console/ (built by apps/console/build.ts). Its assets are
 * named by their content's hash, so browsers and caches keep them for a year; the page that
 * names them is revalidated on every visit, so a new build is picked up at once. Without a build
 * the paths are simply not found.
 */
export function consolePages(app: Express, dir: string): void {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return;
  // Routing is not strict: one handler sees both /console and /console/.
  app.get('/console/', (req, res) => {
    if (!req.originalUrl.split('?')[0]?.endsWith('/')) return res.redirect(301, '/console/');
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  app.use('/console/assets', express.static(join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false, redirect: false }));
}
