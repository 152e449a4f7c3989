import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clearBit, allValid } from './bitmap.js';
import { CairnError } from './errors.js';
import {
  checkFrame,
  column,
  isValid,
  stringAt,
  toFloat64,
  type Column,
  type Frame,
  type StringColumn,
} from './frame.js';

/** A validity bitmap of `n` rows with the listed rows null. */
function nullsAt(n: number, rows: number[]): Uint8Array {
  const bits = allValid(n);
  for (const i of rows) clearBit(bits, i);
  return bits;
}

const n = 4;
const valid = nullsAt(n, [2]);
const numeric: Column[] = [
  { name: 'flag', kind: 'bool', length: n, valid, values: Uint8Array.of(1, 0, 0, 1) },
  { name: 'age', kind: 'int32', length: n, valid, values: Int32Array.of(-7, 0, 0, 2147483647) },
  { name: 'big', kind: 'int64', length: n, valid, values: BigInt64Array.of(-3n, 9007199254740993n, 0n, 5n) },
  { name: 'ratio', kind: 'float32', length: n, valid, values: Float32Array.of(0.5, -1.25, 0, 3) },
  { name: 'price', kind: 'float64', length: n, valid, values: Float64Array.of(0.1, -2.5, 0, 1e300) },
  { name: 'day', kind: 'date', length: n, valid, values: Int32Array.of(-25567, 0, 0, 19000) },
  {
    name: 'at',
    kind: 'timestamp',
    length: n,
    valid,
    values: BigInt64Array.of(-1n, 1_700_000_000_123_456n, 0n, 0n),
  },
];
const city: StringColumn = {
  name: 'city',
  kind: 'string',
  length: n,
  valid: nullsAt(n, [1]),
  codes: Int32Array.of(0, -1, 1, 0),
  dictionary: ['Oslo', ''],
};
const frame: Frame = { rows: n, columns: [...numeric, city] };

test('column finds a column by name', () => {
  assert.equal(column(frame, 'price').kind, 'float64');
});

test('column names the missing column and lists the ones there are', () => {
  assert.throws(
    () => column(frame, 'salary'),
    (error: unknown) => {
      assert.ok(error instanceof CairnError);
      assert.equal(error.code, 'NOT_FOUND');
      assert.equal(
        error.message,
        "column 'salary' is not in the frame; its columns are 'flag', 'age', 'big', 'ratio', 'price', 'day', 'at', 'city'",
      );
      return true;
    },
  );
  assert.throws(() => column({ rows: 0, columns: [] }, 'x'), /its columns are \(none\)/);
});

test('isValid reads the bitmap, and a null bitmap means every row is valid', () => {
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => isValid(numeric[0], i)),
    [true, true, false, true],
  );
  const dense: Column = { ...numeric[0], valid: null };
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => isValid(dense, i)),
    [true, true, true, true],
  );
});

test('stringAt tells an empty string from a null', () => {
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => stringAt(city, i)),
    ['Oslo', null, '', 'Oslo'],
  );
});

test('toFloat64 converts every numeric kind and reads nulls as NaN', () => {
  const expected: Record<string, number[]> = {
    flag: [1, 0, NaN, 1],
    age: [-7, 0, NaN, 2147483647],
    big: [-3, 9007199254740992, NaN, 5],
    ratio: [0.5, -1.25, NaN, 3],
    price: [0.1, -2.5, NaN, 1e300],
    day: [-25567, 0, NaN, 19000],
    at: [-1, 1_700_000_000_123_456, NaN, 0],
  };
  for (const col of numeric) assert.deepEqual([...toFloat64(col)], expected[col.name], col.name);
});

test('toFloat64 rounds int64 exactly as Number() does, at the extremes too', () => {
  const values: bigint[] = [
    -(2n ** 63n),
    2n ** 63n - 1n,
    2n ** 53n + 1n,
    -(2n ** 53n) - 1n,
    2n ** 53n + 3n,
    -1n,
    0n,
    4294967295n,
    -4294967296n,
  ];
  let s = 12345n;
  for (let i = 0; i < 1000; i++) {
    s = (s * 6364136223846793005n + 1442695040888963407n) & (2n ** 64n - 1n);
    values.push(BigInt.asIntN(64, s));
  }
  const col: Column = {
    name: 'x',
    kind: 'int64',
    length: values.length,
    valid: null,
    values: BigInt64Array.from(values),
  };
  assert.deepEqual([...toFloat64(col)], values.map(Number));
});

test('toFloat64 refuses strings with a typed error that says what to do', () => {
  assert.throws(
    () => toFloat64(city),
    (error: unknown) =>
      error instanceof CairnError &&
      error.code === 'INVALID_ARGUMENT' &&
      error.message.startsWith("column 'city' holds strings and cannot be read as numbers; encode it first"),
  );
});

test('checkFrame rejects columns whose arrays do not match the row count', () => {
  checkFrame(frame);
  const short: Column = { name: 'age', kind: 'int32', length: 4, valid: null, values: new Int32Array(3) };
  assert.throws(
    () => checkFrame({ rows: 4, columns: [short] }),
    /^CairnError: column 'age' holds 3 values but the frame has 4 rows$/,
  );
  const bitmap: Column = { ...short, values: new Int32Array(20), length: 20, valid: new Uint8Array(2) };
  assert.throws(
    () => checkFrame({ rows: 20, columns: [bitmap] }),
    /column 'age' has a validity bitmap of 2 bytes \(needs 3\)/,
  );
});
