import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { CairnError, errorMessage } from './errors.js';

/**
 * A YAML or JSON file's parsed content (JSON is YAML, so one parser reads both). `what` names the
 * kind of file in messages ("spec file", "rules file", …).
 */
export function readDocumentFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CairnError('INVALID_ARGUMENT', `cannot read ${what} ${file}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `${what} ${file} is not valid JSON or YAML: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
}
