#!/usr/bin/env node
/**
 * Writes examples/iris/models/iris.onnx: a 4-4-3 MLP classifier of iris flowers. The weights are
 * set by hand from the class means of Fisher's data (petal length and width separate the three
 * species), not trained, so the file is reproducible byte for byte without a data set.
 *
 *   input          float32 [batch, 4]   sepal length, sepal width, petal length, petal width (cm)
 *   probabilities  float32 [batch, 3]   setosa, versicolor, virginica
 *   label          int64   [batch]      index of the most probable class
 *
 * Usage: node scripts/make-iris-model.js [output path]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModel, floatTensor, node, valueInfo } from './lib/onnx-graph.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const output = resolve(process.argv[2] ?? `${root}/examples/iris/models/iris.onnx`);

// Hidden units: h0 = relu(petal_len - 2.5), h1 = relu(petal_len - 4.85),
// h2 = relu(petal_wid - 1.65), h3 = relu(2.5 - petal_len). Row-major [in=4, out=4].
const w1 = [
  [0, 0, 0, 0],
  [0, 0, 0, 0],
  [1, 1, 0, -1],
  [0, 0, 1, 0],
].flat();
const b1 = [-2.5, -4.85, -1.65, 2.5];
// Logits: setosa = 4*h3, versicolor = 2*h0 - 4*h1 - 4*h2, virginica = h0 + 8*h1 + 8*h2.
const w2 = [
  [0, 2, 1],
  [0, -4, 8],
  [0, -4, 8],
  [4, 0, 0],
].flat();
const b2 = [0, 0, 0];

const bytes = encodeModel({
  name: 'iris_mlp',
  docString: 'Iris classifier, hand-set weights (scripts/make-iris-model.js)',
  inputs: [valueInfo('input', 'float32', ['batch', 4])],
  outputs: [
    valueInfo('probabilities', 'float32', ['batch', 3]),
    valueInfo('label', 'int64', ['batch']),
  ],
  initializers: [
    floatTensor('w1', [4, 4], w1),
    floatTensor('b1', [4], b1),
    floatTensor('w2', [4, 3], w2),
    floatTensor('b2', [3], b2),
  ],
  nodes: [
    node('Gemm', ['input', 'w1', 'b1'], ['hidden_linear']),
    node('Relu', ['hidden_linear'], ['hidden']),
    node('Gemm', ['hidden', 'w2', 'b2'], ['logits']),
    node('Softmax', ['logits'], ['probabilities'], { axis: 1 }),
    node('ArgMax', ['logits'], ['label'], { axis: 1, keepdims: 0 }),
  ],
});

mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, bytes);
console.log(`wrote ${output} (${bytes.length} bytes)`);
