#!/usr/bin/env node
// Compiles host/devnet/contracts/**/*.sol with solc-js (pinned in scripts/setup.d/21-solc.sh; optimizer 200 runs,
// EVM cancun) and writes one artifact per contract or interface: <out>/<Name>.json = { contractName, sourceName,
// abi, bytecode, deployedBytecode, methodIdentifiers }. Interface ABIs are also written to host/chain/abi/ (the
// ftso-chain bindings read them). Usage: node build-contracts.js [--out DIR] [--chain-abi-out DIR]
'use strict';
const fs = require('fs');
const path = require('path');

const here = __dirname;
const repo = path.resolve(here, '..', '..');
const args = process.argv.slice(2);
function arg(name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? path.resolve(args[i + 1]) : fallback;
}
const outDir = arg('--out', path.join(here, 'artifacts'));
const chainAbiDir = arg('--chain-abi-out', path.join(repo, 'host', 'chain', 'abi'));

const solcDir = process.env.SOLC_JS_DIR || path.join(repo, 'tools', 'solc', 'node_modules', 'solc');
let solc;
try {
  solc = require(solcDir);
} catch (e) {
  console.error(`solc-js not found at ${solcDir}: run scripts/setup.sh first`);
  process.exit(2);
}

const contractsDir = path.join(here, 'contracts');
function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return e.name.endsWith('.sol') ? [p] : [];
  });
}
const files = walk(contractsDir).sort();
const sources = {};
for (const f of files) {
  sources[path.relative(contractsDir, f).split(path.sep).join('/')] = { content: fs.readFileSync(f, 'utf8') };
}

const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'evm.methodIdentifiers'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
for (const e of output.errors || []) {
  if (e.severity === 'error' || !/SPDX|Unnamed return/.test(e.message)) console.error(e.formattedMessage);
}
if (errors.length > 0) process.exit(1);

fs.mkdirSync(outDir, { recursive: true });
fs.mkdirSync(chainAbiDir, { recursive: true });
const names = new Set();
for (const [sourceName, contracts] of Object.entries(output.contracts).sort()) {
  for (const [name, c] of Object.entries(contracts).sort()) {
    if (names.has(name)) {
      console.error(`duplicate contract name ${name}`);
      process.exit(1);
    }
    names.add(name);
    const artifact = {
      contractName: name,
      sourceName,
      abi: c.abi,
      bytecode: '0x' + c.evm.bytecode.object,
      deployedBytecode: '0x' + c.evm.deployedBytecode.object,
      methodIdentifiers: c.evm.methodIdentifiers,
    };
    fs.writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(artifact, null, 2) + '\n');
    if (sourceName.startsWith('interfaces/') && c.abi.length > 0) {
      fs.writeFileSync(path.join(chainAbiDir, `${name}.json`), JSON.stringify(c.abi, null, 2) + '\n');
    }
  }
}
console.log(`solc ${solc.version()}: ${names.size} artifacts in ${path.relative(repo, outDir) || outDir}`);
