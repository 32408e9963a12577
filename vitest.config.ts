import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Two cores: engine-heavy files (LibreOffice, ffmpeg) must not all run at once.
    maxWorkers: 2,
    pool: 'forks',
  },
});
