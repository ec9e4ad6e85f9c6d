/**
 * The bad-request corpus: every way a client can get a request wrong, each with the status and
 * error code the runtime must answer. Generated from a few tables, but each case is one
 * distinct mistake, named so a failure says which.
 */
import { MIXED_INPUTS } from './models.js';

export interface BadRequest {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string is sent as is; anything else as JSON. undefined = no body. */
  readonly body?: unknown;
  readonly status: number;
  readonly code: string;
}

type Json = unknown;

const IRIS_ROW = [5.1, 3.5, 1.4, 0.2];

/** A valid body for the `mixed` API (one row). */
export function validMixed(): Record<string, Json> {
  return {
    f32: [[1.5, 2, 3]],
    f64: [[1]],
    i64: [[1, 2]],
    i32: [1],
    u8: [
      [
        [1, 2],
        [3, 4],
      ],
    ],
    i8: [[-1]],
    flag: [true],
  };
}

/** `validMixed()` with its first leaf of `input` replaced by `value`. */
function mixedWithLeaf(input: string, value: Json): Record<string, Json> {
  const body = validMixed();
  let node = body[input] as Json[];
  while (Array.isArray(node[0])) node = node[0] as Json[];
  node[0] = value;
  return body;
}

function mixedWith(input: string, value: Json): Record<string, Json> {
  return { ...validMixed(), [input]: value };
}

const wrapLeaves = (value: Json): Json => (Array.isArray(value) ? value.map(wrapLeaves) : [value]);

export function badRequestCorpus(): BadRequest[] {
  const cases: BadRequest[] = [];
  const post = (
    name: string,
    path: string,
    body: unknown,
    status: number,
    code: string,
    headers?: Record<string, string>,
  ) => cases.push({ name, method: 'POST', path, body, status, code, headers });

  // Content types that are not JSON (415), on each inference path.
  const contentTypes = [
    'text/plain',
    'text/plain; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=xyz',
    'application/xml',
    'text/html',
    'application/octet-stream',
    'image/png',
    'application/jsonx',
    'json',
    'application/javascript',
    'text/json',
  ];
  for (const path of ['/classify', '/mixed', '/v2/models/iris/infer']) {
    for (const type of contentTypes) {
      post(
        `content-type ${type} on ${path}`,
        path,
        '{"input": [[1,2,3,4]]}',
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        { 'content-type': type },
      );
    }
  }

  // Bodies that are not JSON at all (400 INVALID_JSON).
  const malformed = [
    '{',
    '}',
    '[1,2',
    '{"input": [[1,2,3,4]]',
    "{'input': [[1,2,3,4]]}",
    'NaN',
    '{"input": [[NaN,1,2,3]]}',
    '{"input": [[Infinity,1,2,3]]}',
    '{"input": [[-Infinity,0,0,0]]}',
    'undefined',
    ' ',
    '{"input": [[1,2,3,4]],}',
    '{"input": [[1,2,3,4,]]}',
    '01',
    '{"input": [[1,2,3,4]]} trailing',
    '{"input": [[0x10,1,2,3]]}',
    '{"input": [[.5,1,2,3]]}',
    '{"input": [[1.,1,2,3]]}',
    '{"input": [[+1,1,2,3]]}',
    'tru',
    'nul',
    '"unterminated',
    '{"input" [[1,2,3,4]]}',
    '{input: [[1,2,3,4]]}',
    '{"input": [[1,2,3,4]]]}',
    '{"input": [[1 2 3 4]]}',
    '/* comment */ {"input": [[1,2,3,4]]}',
    '{"input": [[1e,1,2,3]]}',
    '{"input": [[1,2,3,4]]}\u0000',
    '\ufeff{"input": [[1,2,3,4]]}',
  ];
  for (const path of ['/classify', '/v2/models/iris/infer']) {
    malformed.forEach((text, index) =>
      post(
        `malformed JSON #${index} ${JSON.stringify(text).slice(0, 30)} on ${path}`,
        path,
        text,
        400,
        'INVALID_JSON',
      ),
    );
    post(`empty body on ${path}`, path, '', 400, 'INVALID_JSON');
  }

  // JSON of the wrong overall shape (400 INVALID_BODY).
  for (const text of ['null', '1', '"text"', 'true', 'false'])
    post(`body ${text} on /classify`, '/classify', text, 400, 'INVALID_BODY');
  post('bare list for a model with several inputs', '/mixed', [[1, 2, 3]], 400, 'INVALID_BODY');
  post('null for a model with several inputs', '/mixed', 'null', 400, 'INVALID_BODY');

  // Input names (400 UNKNOWN_INPUT / MISSING_INPUT).
  for (const name of [
    'inputs',
    'Input',
    'INPUT',
    'x',
    '',
    'input ',
    ' input',
    'data',
    'instances',
    '__proto__',
  ]) {
    post(
      `unknown input ${JSON.stringify(name)} on /classify`,
      '/classify',
      `{${JSON.stringify(name)}: [[1,2,3,4]]}`,
      400,
      'UNKNOWN_INPUT',
    );
  }
  post(
    'an extra input beside the right one',
    '/classify',
    { input: [IRIS_ROW], extra: [1] },
    400,
    'UNKNOWN_INPUT',
  );
  post('no input at all', '/classify', {}, 400, 'MISSING_INPUT');
  for (const input of MIXED_INPUTS) {
    const misspelt = { ...validMixed() };
    misspelt[`${input.name}x`] = misspelt[input.name];
    delete misspelt[input.name];
    post(`misspelt input ${input.name}`, '/mixed', misspelt, 400, 'UNKNOWN_INPUT');
    const missing = { ...validMixed() };
    delete missing[input.name];
    post(`missing input ${input.name}`, '/mixed', missing, 400, 'MISSING_INPUT');
  }

  // Element types (400 WRONG_DTYPE).
  const badLeaves: Record<string, readonly Json[]> = {
    float: ['1.5', null, true, false, {}, 'NaN', ''],
    int: [1.5, '1', null, true, {}, -0.5, 1e-9],
    bool: [1, 0, 'true', null, {}, 'false', 0.5],
  };
  for (const input of MIXED_INPUTS) {
    const family =
      input.dtype === 'bool' ? 'bool' : input.dtype.startsWith('float') ? 'float' : 'int';
    for (const value of badLeaves[family] ?? []) {
      post(
        `${input.name} (${input.dtype}) holding ${JSON.stringify(value)}`,
        '/mixed',
        mixedWithLeaf(input.name, value),
        400,
        'WRONG_DTYPE',
      );
    }
  }
  for (const value of ['5.1', null, true, {}, 'x']) {
    post(
      `iris value ${JSON.stringify(value)}`,
      '/classify',
      { input: [[value, 3.5, 1.4, 0.2]] },
      400,
      'WRONG_DTYPE',
    );
    post(
      `iris bare-list value ${JSON.stringify(value)}`,
      '/classify',
      [[5.1, value, 1.4, 0.2]],
      400,
      'WRONG_DTYPE',
    );
  }

  // Rank (400 WRONG_RANK): one level too shallow or too deep, and scalars.
  for (const input of MIXED_INPUTS) {
    const valid = validMixed()[input.name] as Json[];
    post(
      `${input.name} one level too shallow`,
      '/mixed',
      mixedWith(input.name, valid[0]),
      400,
      'WRONG_RANK',
    );
    post(
      `${input.name} one level too deep`,
      '/mixed',
      mixedWith(input.name, wrapLeaves(valid)),
      400,
      'WRONG_RANK',
    );
    post(`${input.name} as a string`, '/mixed', mixedWith(input.name, 'values'), 400, 'WRONG_RANK');
  }
  post('iris row without the batch dimension', '/classify', { input: IRIS_ROW }, 400, 'WRONG_RANK');
  post('iris bare row without the batch dimension', '/classify', IRIS_ROW, 400, 'WRONG_RANK');
  post(
    'iris rows nested one level too deep',
    '/classify',
    { input: [[IRIS_ROW]] },
    400,
    'WRONG_RANK',
  );
  post('iris scalar', '/classify', { input: 5 }, 400, 'WRONG_RANK');
  post('iris string', '/classify', { input: 'rows' }, 400, 'WRONG_RANK');
  post('iris object', '/classify', { input: { rows: [IRIS_ROW] } }, 400, 'WRONG_RANK');
  post('iris null input', '/classify', { input: null }, 400, 'WRONG_RANK');
  post(
    'deeply nested list',
    '/classify',
    `{"input": ${'['.repeat(5000)}1${']'.repeat(5000)}}`,
    400,
    'WRONG_RANK',
  );

  // Dimensions (400 WRONG_SHAPE).
  for (const width of [1, 2, 3, 5, 8, 100]) {
    post(
      `iris rows of ${width} values`,
      '/classify',
      { input: [Array.from({ length: width }, () => 1)] },
      400,
      'WRONG_SHAPE',
    );
  }
  post('iris rows of no values', '/classify', { input: [[]] }, 400, 'WRONG_SHAPE');
  post('f32 rows of 2', '/mixed', mixedWith('f32', [[1, 2]]), 400, 'WRONG_SHAPE');
  post('f32 rows of 4', '/mixed', mixedWith('f32', [[1, 2, 3, 4]]), 400, 'WRONG_SHAPE');
  post('f64 rows of 2', '/mixed', mixedWith('f64', [[1, 2]]), 400, 'WRONG_SHAPE');
  post('i64 rows of 3', '/mixed', mixedWith('i64', [[1, 2, 3]]), 400, 'WRONG_SHAPE');
  post('i64 rows of 1', '/mixed', mixedWith('i64', [[1]]), 400, 'WRONG_SHAPE');
  post(
    'u8 2x3 instead of 2x2',
    '/mixed',
    mixedWith('u8', [
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
    ]),
    400,
    'WRONG_SHAPE',
  );
  post(
    'u8 3x2 instead of 2x2',
    '/mixed',
    mixedWith('u8', [
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    ]),
    400,
    'WRONG_SHAPE',
  );
  post('u8 1x2 instead of 2x2', '/mixed', mixedWith('u8', [[[1, 2]]]), 400, 'WRONG_SHAPE');
  post('i8 rows of none', '/mixed', mixedWith('i8', [[]]), 400, 'WRONG_SHAPE');
  post('i8 rows of 2', '/mixed', mixedWith('i8', [[1, 2]]), 400, 'WRONG_SHAPE');

  // Ragged arrays (400 RAGGED_ARRAY).
  const raggedIris: readonly Json[] = [
    [IRIS_ROW, [1, 2, 3]],
    [IRIS_ROW, [1, 2, 3, 4, 5]],
    [IRIS_ROW, 5],
    [IRIS_ROW, null],
    [IRIS_ROW, [[1], 2, 3, 4]],
    [IRIS_ROW, [1, 2, 3, [4]]],
    [IRIS_ROW, IRIS_ROW, []],
    [IRIS_ROW, 'row'],
    [IRIS_ROW, { a: 1 }],
  ];
  raggedIris.forEach((rows, index) =>
    post(`ragged iris #${index}`, '/classify', { input: rows }, 400, 'RAGGED_ARRAY'),
  );
  post('ragged u8 inner list', '/mixed', mixedWith('u8', [[[1, 2], [3]]]), 400, 'RAGGED_ARRAY');
  post(
    'ragged u8 second row',
    '/mixed',
    mixedWith('u8', [
      [
        [1, 2],
        [3, 4],
      ],
      [[1, 2]],
    ]),
    400,
    'RAGGED_ARRAY',
  );
  post(
    'ragged u8 scalar row',
    '/mixed',
    mixedWith('u8', [
      [
        [1, 2],
        [3, 4],
      ],
      7,
    ]),
    400,
    'RAGGED_ARRAY',
  );
  post(
    'ragged f32 rows',
    '/mixed',
    {
      ...mixedWith('f32', [
        [1, 2, 3],
        [1, 2],
      ]),
    },
    400,
    'RAGGED_ARRAY',
  );
  post('ragged i64 rows', '/mixed', mixedWith('i64', [[1, 2], [1]]), 400, 'RAGGED_ARRAY');
  post('ragged i32 nested value', '/mixed', mixedWith('i32', [1, [2]]), 400, 'RAGGED_ARRAY');
  post(
    'huge first row, empty others',
    '/classify',
    `{"input": [[${Array(4).fill(1).join(',')}],${Array(2000).fill('[]').join(',')}]}`,
    400,
    'RAGGED_ARRAY',
  );

  // Values that do not fit (400 NON_FINITE_VALUE / VALUE_OUT_OF_RANGE).
  for (const literal of ['1e999', '-1e999', '1e39', '-3.5e38', '1.8e308']) {
    post(
      `iris value ${literal}`,
      '/classify',
      `{"input": [[${literal}, 1, 1, 1]]}`,
      400,
      'NON_FINITE_VALUE',
    );
  }
  post('f32 overflow', '/mixed', mixedWithLeaf('f32', 4e38), 400, 'NON_FINITE_VALUE');
  post(
    'f64 infinity via 1e999',
    '/mixed',
    JSON.stringify(validMixed()).replace('"f64":[[1]]', '"f64":[[1e999]]'),
    400,
    'NON_FINITE_VALUE',
  );
  post(
    'i32 infinity via 1e999',
    '/mixed',
    JSON.stringify(validMixed()).replace('"i32":[1]', '"i32":[1e999]'),
    400,
    'NON_FINITE_VALUE',
  );
  const outOfRange: readonly [string, Json][] = [
    ['u8', 256],
    ['u8', -1],
    ['u8', 1000],
    ['i8', 128],
    ['i8', -129],
    ['i32', 2147483648],
    ['i32', -2147483649],
    ['i64', 9007199254740994],
    ['i64', -9007199254740994],
    ['i64', 1e20],
  ];
  for (const [input, value] of outOfRange) {
    post(
      `${input} value ${String(value)}`,
      '/mixed',
      mixedWithLeaf(input, value),
      400,
      'VALUE_OUT_OF_RANGE',
    );
  }

  // Empty batches and mismatched rows.
  post('no rows', '/classify', { input: [] }, 400, 'EMPTY_BATCH');
  post('bare empty list', '/classify', [], 400, 'EMPTY_BATCH');
  post(
    'mixed with no rows',
    '/mixed',
    Object.fromEntries(MIXED_INPUTS.map((input) => [input.name, []])),
    400,
    'EMPTY_BATCH',
  );
  for (const input of MIXED_INPUTS) {
    const valid = validMixed()[input.name] as Json[];
    if (input.name === 'f32') continue;
    post(
      `${input.name} with 2 rows, others 1`,
      '/mixed',
      mixedWith(input.name, [...valid, ...valid]),
      400,
      'ROW_MISMATCH',
    );
  }
  post(
    'f32 with 3 rows, others 1',
    '/mixed',
    mixedWith('f32', [
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]),
    400,
    'ROW_MISMATCH',
  );

  // Paths and methods.
  for (const path of [
    '/index.html',
    '/classify2',
    '/Classify',
    '/classify/',
    '/v1/classify',
    '/v2/models',
    '/docs/',
    '/docs/index.html',
    '/docs/swagger-ui.js',
    '/classify/submit/x',
    '/classify/results',
    '/metrics/x',
    '/%00',
    '/..%2fclassify',
    '/healthz/x',
    '/v2/models/iris/explain',
  ]) {
    post(`POST to unknown path ${path}`, path, { input: [IRIS_ROW] }, 404, 'NOT_FOUND');
    cases.push({
      name: `GET unknown path ${path}`,
      method: 'GET',
      path,
      status: 404,
      code: 'NOT_FOUND',
    });
  }
  const wrongMethods: readonly [string, string][] = [
    ['POST', '/'],
    ['POST', '/docs'],
    ['DELETE', '/classify/cancel'],
    ['GET', '/classify/cancel'],
    ['POST', '/classify/status'],
    ['GET', '/classify'],
    ['PUT', '/classify'],
    ['DELETE', '/mixed'],
    ['PATCH', '/classify'],
    ['POST', '/healthz'],
    ['POST', '/readyz'],
    ['POST', '/livez'],
    ['POST', '/metrics'],
    ['POST', '/docs.json'],
    ['PUT', '/v2/models/iris/infer'],
    ['GET', '/v2/models/iris/infer'],
    ['POST', '/v2/models/iris'],
    ['DELETE', '/v2/health/ready'],
  ];
  for (const [method, path] of wrongMethods) {
    cases.push({
      name: `${method} ${path}`,
      method,
      path,
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
    });
  }

  // Open Inference Protocol v2.
  const get = (name: string, path: string, status: number, code: string) =>
    cases.push({ name, method: 'GET', path, status, code });
  get('v2 metadata of an unknown model', '/v2/models/nope', 404, 'MODEL_NOT_FOUND');
  get('v2 readiness of an unknown model', '/v2/models/nope/ready', 404, 'MODEL_NOT_FOUND');
  get('v2 unknown version', '/v2/models/iris/versions/0000', 404, 'MODEL_NOT_FOUND');
  post(
    'v2 infer on an unknown model',
    '/v2/models/nope/infer',
    { inputs: [] },
    404,
    'MODEL_NOT_FOUND',
  );
  post(
    'v2 infer on an unknown version',
    '/v2/models/iris/versions/0000/infer',
    { inputs: [] },
    404,
    'MODEL_NOT_FOUND',
  );
  const v2 = (input: Record<string, Json>) => ({
    inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: IRIS_ROW, ...input }],
  });
  const v2Cases: readonly [string, Json, string][] = [
    ['no inputs field', {}, 'INVALID_BODY'],
    ['inputs is an object', { inputs: { name: 'input' } }, 'INVALID_BODY'],
    ['inputs is a string', { inputs: 'input' }, 'INVALID_BODY'],
    ['an input is a list', { inputs: [[1, 2, 3, 4]] }, 'INVALID_BODY'],
    ['an input is null', { inputs: [null] }, 'INVALID_BODY'],
    ['input name is a number', v2({ name: 1 }), 'INVALID_BODY'],
    ['input given twice', { inputs: [v2({}).inputs[0], v2({}).inputs[0]] }, 'INVALID_BODY'],
    ['id is a number', { ...v2({}), id: 5 }, 'INVALID_BODY'],
    ['shape is missing', v2({ shape: undefined }), 'INVALID_BODY'],
    ['shape is a string', v2({ shape: '1,4' }), 'INVALID_BODY'],
    ['shape has a negative dim', v2({ shape: [-1, 4] }), 'INVALID_BODY'],
    ['shape has a fraction', v2({ shape: [1.5, 4] }), 'INVALID_BODY'],
    ['data is missing', v2({ data: undefined }), 'INVALID_BODY'],
    ['data is a string', v2({ data: '5.1,3.5' }), 'INVALID_BODY'],
    ['outputs is not a list', { ...v2({}), outputs: 'label' }, 'INVALID_BODY'],
    [
      'outputs names an unknown output',
      { ...v2({}), outputs: [{ name: 'logits' }] },
      'INVALID_BODY',
    ],
    ['outputs entry without a name', { ...v2({}), outputs: [{}] }, 'INVALID_BODY'],
    ['unknown input name', v2({ name: 'x' }), 'UNKNOWN_INPUT'],
    ['no inputs given', { inputs: [] }, 'MISSING_INPUT'],
    ['datatype FP64', v2({ datatype: 'FP64' }), 'WRONG_DTYPE'],
    ['datatype fp32 (lower case)', v2({ datatype: 'fp32' }), 'WRONG_DTYPE'],
    ['datatype INT64', v2({ datatype: 'INT64' }), 'WRONG_DTYPE'],
    ['datatype missing', v2({ datatype: undefined }), 'WRONG_DTYPE'],
    ['datatype BYTES', v2({ datatype: 'BYTES' }), 'WRONG_DTYPE'],
    ['rank 1 shape', v2({ shape: [4] }), 'WRONG_RANK'],
    ['rank 3 shape', v2({ shape: [1, 1, 4] }), 'WRONG_RANK'],
    ['wrong width', v2({ shape: [1, 3], data: [1, 2, 3] }), 'WRONG_SHAPE'],
    ['zero rows', v2({ shape: [0, 4], data: [] }), 'EMPTY_BATCH'],
    ['too little data', v2({ data: [1, 2, 3] }), 'DATA_SIZE_MISMATCH'],
    ['too much data', v2({ data: [1, 2, 3, 4, 5] }), 'DATA_SIZE_MISMATCH'],
    [
      'data for two rows, shape for one',
      v2({ data: [...IRIS_ROW, ...IRIS_ROW] }),
      'DATA_SIZE_MISMATCH',
    ],
    ['a string in data', v2({ data: [5.1, '3.5', 1.4, 0.2] }), 'WRONG_DTYPE'],
    ['null in data', v2({ data: [5.1, null, 1.4, 0.2] }), 'WRONG_DTYPE'],
    ['a boolean in data', v2({ data: [true, 3.5, 1.4, 0.2] }), 'WRONG_DTYPE'],
    ['float32 overflow in data', v2({ data: [1e39, 3.5, 1.4, 0.2] }), 'NON_FINITE_VALUE'],
    [
      'nested data deeper than the rank',
      v2({ data: [[[[5.1, 3.5, 1.4, 0.2]]]] }),
      'DATA_SIZE_MISMATCH',
    ],
    ['a list where a value belongs', v2({ data: [[5.1, [3.5], 1.4, 0.2]] }), 'WRONG_DTYPE'],
  ];
  for (const [name, body, code] of v2Cases)
    post(`v2 infer: ${name}`, '/v2/models/iris/infer', body, 400, code);
  return cases;
}
