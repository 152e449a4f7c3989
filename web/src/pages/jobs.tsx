import type { Job, JobDetail } from '../api/types';
import { useApi } from '../api/use-api';
import { Async, Empty } from '../components/status';
import { formatDuration, formatPercent, formatWhen } from '../format';
import { href } from '../router';

const REFRESH_MS = 2000;

export function JobsPage({ job }: { job: string | undefined }) {
  const list = useApi<{ jobs: Job[] }>('/v1/jobs?limit=100', REFRESH_MS);
  return (
    <>
      <h1>Jobs</h1>
      <div className="split wide-main">
        <section className="card side-list">
          <Async state={list} what="Loading jobs">
            {({ jobs }) =>
              jobs.length === 0 ? (
                <Empty>No jobs yet: `cairn train --background` or `cairn score` queue them.</Empty>
              ) : (
                <div className="grid-scroll">
                  <table className="grid">
                    <thead>
                      <tr>
                        <th>Job</th>
                        <th>Status</th>
                        <th>Progress</th>
                        <th>Queued</th>
                      </tr>
                    </thead>
                    <tbody>
                      {jobs.map((j) => (
                        <tr key={j.id} className={j.id === job ? 'selected' : undefined}>
                          <td>
                            <a href={href('jobs', j.id)}>{j.kind}</a>{' '}
                            <span className="muted">{j.id.slice(0, 8)}</span>
                          </td>
                          <td>
                            <span className={`badge ${j.status}`}>{j.status}</span>
                          </td>
                          <td>
                            <Progress value={j.progress} />
                          </td>
                          <td title={j.createdAt}>{formatWhen(j.createdAt)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )
            }
          </Async>
        </section>
        <div className="main">
          {job ? <JobView key={job} id={job} /> : <Empty>Choose a job to see its log.</Empty>}
        </div>
      </div>
    </>
  );
}

function Progress({ value }: { value: number }) {
  return (
    <span className="progress" title={formatPercent(value, 0)}>
      <progress max={1} value={value} /> {formatPercent(value, 0)}
    </span>
  );
}

function JobView({ id }: { id: string }) {
  const detail = useApi<JobDetail>(`/v1/jobs/${encodeURIComponent(id)}`, REFRESH_MS);
  return (
    <Async state={detail} what="Loading the job">
      {(j) => {
        const took =
          j.startedAt && j.finishedAt
            ? (Date.parse(j.finishedAt) - Date.parse(j.startedAt)) / 1000
            : undefined;
        return (
          <section className="card">
            <h2>
              {j.kind} <span className={`badge ${j.status}`}>{j.status}</span>
            </h2>
            <p>
              <Progress value={j.progress} /> {j.message}
            </p>
            <p className="muted">
              queued {formatWhen(j.createdAt)} · attempts {j.attempts}
              {took !== undefined && ` · took ${formatDuration(took)}`}
            </p>
            {j.error && <p className="error">{j.error}</p>}
            <h3>Log</h3>
            {j.log.length === 0 ? (
              <Empty>Nothing logged yet.</Empty>
            ) : (
              <pre className="log">
                {j.log
                  .map((l) => `${new Date(l.at).toLocaleTimeString()}  ${l.level.padEnd(5)}  ${l.message}`)
                  .join('\n')}
              </pre>
            )}
            {j.result !== null && j.result !== undefined && (
              <>
                <h3>Result</h3>
                <pre className="log">{JSON.stringify(j.result, null, 2)}</pre>
              </>
            )}
          </section>
        );
      }}
    </Async>
  );
}
