import type { Row } from '../api/types';
import { formatCell } from '../format';

/** A plain table of rows; numbers right-aligned and formatted, long text cut with the full value on hover. */
export function DataGrid({ columns, rows, caption }: { columns: string[]; rows: Row[]; caption?: string }) {
  return (
    <div className="grid-scroll">
      <table className="grid">
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {columns.map((c) => {
                const value = row[c];
                const text = formatCell(value);
                return (
                  <td key={c} className={typeof value === 'number' ? 'num' : undefined} title={text}>
                    {text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
