import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code, compileKernel, I32, OP, signed, unsigned } from './assembler.js';

test('LEB128 encodings match the specification’s examples', () => {
  assert.deepEqual(unsigned(0), [0x00]);
  assert.deepEqual(unsigned(624485), [0xe5, 0x8e, 0x26]);
  assert.deepEqual(unsigned(0xffffffff), [0xff, 0xff, 0xff, 0xff, 0x0f]);
  assert.deepEqual(signed(-123456), [0xc0, 0xbb, 0x78]);
  assert.deepEqual(signed(63), [0x3f]);
  assert.deepEqual(signed(64), [0xc0, 0x00]);
  assert.deepEqual(signed(-64), [0x40]);
  assert.deepEqual(signed(-65), [0xbf, 0x7f]);
});

test('an assembled kernel runs: adds x[i] + (i ≥ 2 ? 10 : 20) to out[i] with a loop, loads, select and a store', () => {
  // kernel(n): for i < n: out[i] += x[i] + select(10, 20, i >= 2), x at byte 0, out at byte 800.
  const [N, I] = [0, 1];
  const code = new Code();
  code.i32(0).set(I);
  code.block(() =>
    code.loop(() => {
      code.get(I).get(N).op(OP.i32GeU).brIf(1);
      code.get(I).i32(3).op(OP.i32Shl); // store address
      code.get(I).i32(3).op(OP.i32Shl).memory('f64Load', 800);
      code.get(I).i32(3).op(OP.i32Shl).memory('f64Load', 0).op(OP.f64Add);
      code.get(I).i32(3).op(OP.i32Shl).memory('f64Load', 1600).op(OP.f64Add);
      code.memory('f64Store', 800);
      code.get(I).i32(1).op(OP.i32Add).set(I).br(0);
    }),
  );
  // A second kernel writes the selected constants at byte 1600: select(10, 20, i >= 2) as f64.
  const constants = new Code();
  constants.i32(0).set(I);
  constants.loop(() => {
    constants.get(I).i32(3).op(OP.i32Shl);
    constants.i32(10).i32(20).get(I).i32(2).op(OP.i32GeU, OP.select);
    constants.op(0xb7).memory('f64Store', 1600); // f64.convert_i32_s
    constants.get(I).i32(1).op(OP.i32Add).tee(I).i32(5).op(OP.i32LtU).brIf(0);
  });
  const memory = new WebAssembly.Memory({ initial: 1 });
  const x = new Float64Array(memory.buffer, 0, 5);
  const out = new Float64Array(memory.buffer, 800, 5);
  x.set([1.5, 2.5, 3.5, 4.5, 5.5]);
  out.set([100, 200, 300, 400, 500]);
  compileKernel({ params: [I32], locals: [I32], code: constants }, memory)(0);
  assert.deepEqual([...new Float64Array(memory.buffer, 1600, 5)], [20, 20, 10, 10, 10]);
  compileKernel<(n: number) => void>({ params: [I32], locals: [I32], code }, memory)(4);
  assert.deepEqual([...out], [121.5, 222.5, 313.5, 414.5, 500]);
});
