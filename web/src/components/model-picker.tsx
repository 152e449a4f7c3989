import { useMemo, type ReactNode } from 'react';
import type { ModelVersion } from '../api/types';
import { useApi } from '../api/use-api';
import { href } from '../router';
import { Async, Empty } from './status';

/**
 * The page's side list of models of one task, linking to `#/<page>/<model>`; renders `children`
 * with the chosen model (the one in the address, else the first).
 */
export function ModelPicker({
  task,
  page,
  model,
  none,
  children,
}: {
  task: string;
  page: string;
  model: string | undefined;
  /** Shown when there is no model of the task. */
  none: ReactNode;
  children: (model: string) => ReactNode;
}) {
  const list = useApi<{ versions: ModelVersion[] }>('/v1/models');
  const names = useMemo(
    () => [...new Set((list.data?.versions ?? []).filter((v) => v.task === task).map((v) => v.name))].sort(),
    [list.data, task],
  );
  const chosen = model ?? names[0];
  return (
    <div className="split">
      <aside className="side">
        <Async state={list} what="Loading models">
          {() =>
            names.length === 0 ? (
              <Empty>{none}</Empty>
            ) : (
              <ul className="picker">
                {names.map((n) => (
                  <li key={n}>
                    <a href={href(page, n)} aria-current={n === chosen ? 'page' : undefined}>
                      {n}
                    </a>
                  </li>
                ))}
              </ul>
            )
          }
        </Async>
      </aside>
      <div className="main">{chosen !== undefined && children(chosen)}</div>
    </div>
  );
}
