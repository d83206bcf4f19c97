// Runs TypeScript sources directly (no build step) with decorator metadata, for `npm start` and the CLIs.
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || require('path').join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
