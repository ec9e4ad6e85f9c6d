import { describe, expect, it } from 'vitest';
import type { TensorSpec } from '../../src/bento/signature.js';
import {
  countBodyRows,
  countV2Rows,
  maxRowsInBytes,
  mostRows,
} from '../../src/runtime/count-rows.js';
import { decodeApiBytes, decodeV2Bytes } from '../../src/runtime/decode-body.js';
import { HttpError } from '../../src/runtime/http-errors.js';

const iris: TensorSpec[] = [{ name: 'input', dtype: 'float32', dims: [null, 4] }];
const bytes = (text: string) => Buffer.from(text, 'utf8');
const rowsOf = (text: string) => {
  const counted = countBodyRows(bytes(text));
  return counted === undefined ? undefined : mostRows(counted, iris);
};
const row = '[5.1, 3.5, 1.4, 0.2]';
const rows = (count: number) => Array.from({ length: count }, () => row).join(',');

describe('counting rows from the bytes of a body', () => {
  it('GIVEN an object or a bare list THEN the rows of the outermost list, nested lists not counted', () => {
    expect(rowsOf(`{"input": [${rows(3)}]}`)).toBe(3);
    expect(rowsOf(`[${rows(5)}]`)).toBe(5);
    expect(rowsOf(' \n{ "input" :\t[ ] }')).toBe(0);
    expect(rowsOf('{"input": [[[1], [2]], [[3]]]}')).toBe(2);
  });

  it('GIVEN brackets, commas and escaped quotes inside strings THEN they do not count', () => {
    expect(rowsOf(`{"note": "a],[b\\"],[", "input": [${rows(2)}], "x": {"y": [1,2,3]}}`)).toBe(2);
    expect(rowsOf(`{"in\\u0070ut": [${rows(4)}]}`)).toBe(4);
  });

  it('GIVEN a key twice THEN the last one counts, as in JSON.parse', () => {
    expect(rowsOf(`{"input": [${rows(9)}], "input": [${row}]}`)).toBe(1);
    expect(rowsOf(`{"input": [${rows(9)}], "input": 7}`)).toBe(0);
  });

  it('GIVEN bytes that are not a body THEN no count (parsing says what is wrong)', () => {
    expect(countBodyRows(bytes(`{"input": [${rows(3)}`))).toBeUndefined();
    expect(countBodyRows(bytes('"just a string"'))).toBeUndefined();
    expect(countBodyRows(bytes('{"input" [1]}'))).toBeUndefined();
  });

  it('GIVEN random legal bodies THEN the count is what JSON.parse gives, every time', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) as number;
    const space = () => [' ', '', '\n', '\t', '  '][Math.floor(random() * 5)] as string;
    const value = (depth: number): string => {
      const pick = random();
      if (depth > 2 || pick < 0.4) return String(Math.round(random() * 1e6) / 1e3);
      if (pick < 0.55) return JSON.stringify(`s${'],["\\'.charAt(Math.floor(random() * 6))}`);
      const items = Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return `[${space()}${items.join(`${space()},${space()}`)}${space()}]`;
    };
    for (let run = 0; run < 300; run += 1) {
      const list = Array.from({ length: Math.floor(random() * 12) }, () => value(1));
      const text = `{${space()}"other"${space()}:${space()}${value(0)},${space()}"input"${space()}:${space()}[${list.join(`,${space()}`)}]${space()}}`;
      const parsed = JSON.parse(text) as { input: unknown[] };
      expect(rowsOf(text), text).toBe(parsed.input.length);
    }
  });

  it('GIVEN a body too small to hold more rows than the queue THEN the bound says so without a scan', () => {
    // 1024 iris rows take at least 1024 x 8 - 1 bytes.
    expect(maxRowsInBytes(1024 * 8 - 1, iris)).toBe(1024);
    expect(maxRowsInBytes(1024 * 8 + 7, iris)).toBe(1025);
    const text = `{"input": [${rows(1024)}]}`;
    const parsed = JSON.parse(text) as { input: unknown[] };
    expect(maxRowsInBytes(text.length, iris)).toBeGreaterThanOrEqual(parsed.input.length);
  });
});

describe('decoding a body', () => {
  const target = { api: 'classify', inputs: iris, outputs: [], maxQueueRows: 100 };

  it('GIVEN more rows than the queue holds THEN 413 TOO_MANY_ROWS before JSON.parse (invalid JSON after the rows is not reached)', () => {
    const text = `{"input": [${rows(101)}], "later": tru}`;
    expect(() => JSON.parse(text)).toThrow();
    const attempt = () => decodeApiBytes(bytes(text), target);
    expect(attempt).toThrow(HttpError);
    expect(attempt).toThrow(/the request has 101 rows; at most 100 rows/);
  });

  it('GIVEN exactly as many rows as the queue holds THEN it decodes (no false refusal)', () => {
    const decoded = decodeApiBytes(bytes(`{"input": [${rows(100)}]}`), target);
    expect(decoded.rows).toBe(100);
    expect(decoded.tensors[0]?.dims).toEqual([100, 4]);
  });
});

describe('counting rows of an Open Inference Protocol body from its bytes', () => {
  const rowsOfV2 = (text: string) => countV2Rows(bytes(text));

  it('GIVEN inputs with shapes THEN the largest first dimension, wherever "shape" sits in each input', () => {
    expect(
      rowsOfV2(
        '{"inputs": [{"name": "a", "shape": [3, 4], "datatype": "FP32", "data": [1]}, {"data": [[1]], "shape": [7], "name": "b"}]}',
      ),
    ).toBe(7);
    expect(rowsOfV2('{"id": "x", "inputs": []}')).toBe(0);
    expect(rowsOfV2('{"outputs": [{"name": "y"}]}')).toBe(0);
  });

  it('GIVEN "shape" inside strings, parameters or another key THEN only an input\'s own shape counts, the last one given', () => {
    expect(
      rowsOfV2(
        '{"note": "\\"shape\\": [9000]", "inputs": [{"name": "a", "parameters": {"shape": [9000]}, "shape": [2, 4], "data": [1]}], "shape": [9000]}',
      ),
    ).toBe(2);
    expect(rowsOfV2('{"inputs": [{"shape": [9000, 4], "shape": [5, 4]}]}')).toBe(5);
    expect(rowsOfV2('{"inputs": [{"shape": [9000]}], "inputs": [{"shape": [1]}]}')).toBe(1);
  });

  it('GIVEN random legal bodies THEN the count is what JSON.parse gives', () => {
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const space = () => [' ', '', '\n'][Math.floor(random() * 3)] as string;
    for (let run = 0; run < 200; run += 1) {
      const inputs = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, index) => {
        const shape = [Math.floor(random() * 5000), 4];
        const fields = [
          `"name":${space()}"in${index}"`,
          `"shape":${space()}[${shape.join(`,${space()}`)}]`,
          `"datatype": "FP32"`,
          `"data": [1.5, "]", [2]]`,
          `"parameters": {"shape": [${Math.floor(random() * 9999)}]}`,
        ].sort(() => random() - 0.5);
        return `{${space()}${fields.join(`,${space()}`)}${space()}}`;
      });
      const text = `{"id": "r${run}",${space()}"inputs":${space()}[${inputs.join(',')}]}`;
      const parsed = JSON.parse(text) as { inputs: { shape: number[] }[] };
      const expected = Math.max(...parsed.inputs.map((input) => input.shape[0] ?? 0));
      expect(rowsOfV2(text), text).toBe(expected);
    }
  });

  it('GIVEN a v2 body declaring more rows than the queue holds THEN 413 TOO_MANY_ROWS before JSON.parse', () => {
    const target = { api: 'v2:iris', inputs: iris, outputs: [], maxQueueRows: 100 };
    const data = Array.from({ length: 101 * 4 }, () => '1.5').join(',');
    const text = `{"inputs": [{"name": "input", "shape": [101, 4], "datatype": "FP32", "data": [${data}]}], "later": tru}`;
    expect(() => JSON.parse(text)).toThrow();
    expect(() => decodeV2Bytes(bytes(text), target)).toThrow(/the request has 101 rows/);
    const legal = text
      .replace('101, 4', '100, 4')
      .replace(/(,1\.5){4}\]/, ']')
      .replace(', "later": tru', '');
    expect(decodeV2Bytes(bytes(legal), target).rows).toBe(100);
  });
});
