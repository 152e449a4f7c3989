import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev:web` proxies the API to a running `cairn up` so the dashboard reloads as it is edited.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 700 },
  server: { proxy: { '/v1': process.env.CAIRN_URL ?? 'http://127.0.0.1:7070' } },
});
