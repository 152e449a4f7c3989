import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findFuzzyDuplicates } from './fuzzy.js';
import { jaroWinkler } from './jaro-winkler.js';
import { normalizeText, sortTokens } from './normalize.js';
import { valueSimilarity } from './similarity.js';

describe('Jaro–Winkler', () => {
  test('matches the published textbook values', () => {
    // Winkler's examples: MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.84, DIXON/DICKSONX 0.813.
    assert.equal(jaroWinkler('MARTHA', 'MARHTA').toFixed(3), '0.961');
    assert.equal(jaroWinkler('DWAYNE', 'DUANE').toFixed(3), '0.840');
    assert.equal(jaroWinkler('DIXON', 'DICKSONX').toFixed(3), '0.813');
  });

  test('is 1 for equal strings, 0 with nothing in common or an empty side, and symmetric', () => {
    assert.equal(jaroWinkler('abc', 'abc'), 1);
    assert.equal(jaroWinkler('abc', 'xyz'), 0);
    assert.equal(jaroWinkler('', 'abc'), 0);
    assert.equal(jaroWinkler('crate', 'trace'), jaroWinkler('trace', 'crate'));
  });
});

describe('normalisation and value similarity', () => {
  test('drops accents, case and punctuation; sorts words', () => {
    assert.equal(normalizeText("  Zoë O'Brien-Smith "), 'zoe o brien smith');
    assert.equal(sortTokens('smith john'), 'john smith');
  });

  test('word order does not matter; different numbers or a different word do', () => {
    assert.equal(valueSimilarity('john smith', 'smith john'), 1);
    assert.ok(valueSimilarity('white hanging heart', 'white hangng heart') > 0.95);
    assert.ok(valueSimilarity('pack of 12 tissues', 'pack of 60 tissues') <= 0.5);
    assert.ok(valueSimilarity('red retrospot mug', 'red retrospot plate') < 0.9);
    assert.ok(valueSimilarity('letter r key ring', 'letter b key ring') < 0.9);
  });
});

describe('findFuzzyDuplicates', () => {
  test('clusters near-duplicates across columns and leaves distinct records alone', () => {
    const names = ['Jon Smith', 'John Smith', 'Mary Jones', 'Smith, John', 'Peter Brown', null];
    const emails = [
      'jsmith@example.com',
      'jsmith@example.com',
      'mary@example.org',
      null,
      'pb@example.net',
      'x@y.z',
    ];
    const result = findFuzzyDuplicates([names, emails], { threshold: 0.9 });
    assert.deepEqual(
      result.clusters.map((c) => c.members),
      [[0, 1, 3]],
    );
    assert.ok(result.clusters[0].minScore >= 0.9);
  });
});
