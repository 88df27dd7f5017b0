import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Simulator-backed tests start HTTPS servers and real timers; give slow CI machines room.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The end-to-end tests start the compiled CLI; it is built once, before them.
    globalSetup: ['test/global-setup.ts'],
  },
});
