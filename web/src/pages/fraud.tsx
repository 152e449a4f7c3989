import { useMemo, useState } from 'react';
import { api } from '../api/client';
import type { FraudDecision, RecentDecisions, ReviewItem, Whoami } from '../api/types';
import { useApi } from '../api/use-api';
import { baseGrid, Chart, type ChartOption } from '../components/chart';
import { DECISION_COLORS } from '../components/palette';
import { Async, Empty, ErrorBox } from '../components/status';
import { Tile } from '../components/tile';
import { formatCount, formatNumber, formatPercent, formatWhen } from '../format';

const DECISIONS: FraudDecision[] = ['APPROVE', 'REVIEW', 'STEP_UP', 'BLOCK'];
/** Decisions polled from the decision log every LIVE_MS. */
const LIVE_LIMIT = 300;
const LIVE_MS = 2000;
const LATEST_ROWS = 12;

export function FraudPage() {
  return (
    <>
      <h1>Fraud</h1>
      <LiveDecisions />
      <ReviewQueue />
    </>
  );
}

function LiveDecisions() {
  const state = useApi<RecentDecisions>(`/v1/fraud/decisions?limit=${LIVE_LIMIT}`, LIVE_MS);
  return (
    <Async state={state} what="Loading decisions">
      {(recent) =>
        recent.decisions.length === 0 ? (
          <section className="card">
            <h2>Live decisions</h2>
            <Empty>
              No decisions yet: run <code>cairn solutions run fraud</code>, or send transactions to{' '}
              <code>POST /v1/fraud/score</code>.
            </Empty>
          </section>
        ) : (
          <LiveBody recent={recent} />
        )
      }
    </Async>
  );
}

function LiveBody({ recent }: { recent: RecentDecisions }) {
  const chart = useMemo(() => decisionChart(recent), [recent]);
  const total = DECISIONS.reduce((sum, d) => sum + (recent.counts[d] ?? 0), 0);
  return (
    <>
      <section className="tiles" data-testid="decision-counts">
        {DECISIONS.map((d) => (
          <Tile
            key={d}
            value={formatCount(recent.counts[d] ?? 0)}
            label={d}
            note={
              total > 0 ? `${formatPercent((recent.counts[d] ?? 0) / total)} of ${formatCount(total)}` : ''
            }
          />
        ))}
      </section>
      <section className="card">
        <h2>
          Live decisions <span className="live" aria-hidden="true" />
        </h2>
        <p className="muted">
          The newest {formatCount(recent.decisions.length)} decisions by score, updated every 2 s.
        </p>
        <Chart option={chart} label="live decisions" height={300} />
        <div className="grid-scroll">
          <table className="grid" data-testid="latest-decisions">
            <thead>
              <tr>
                <th>Decided</th>
                <th>Transaction</th>
                <th>User</th>
                <th className="num">Amount</th>
                <th>Decision</th>
                <th className="num">Score</th>
                <th>Main reason</th>
              </tr>
            </thead>
            <tbody>
              {recent.decisions.slice(0, LATEST_ROWS).map((d) => (
                <tr key={d.transaction_id}>
                  <td title={d.decided_at}>{formatWhen(d.decided_at)}</td>
                  <td>{d.transaction_id}</td>
                  <td>{d.user_id}</td>
                  <td className="num">{formatAmount(d.amount, d.currency)}</td>
                  <td>
                    <DecisionBadge decision={d.decision} />
                  </td>
                  <td className="num">{d.score}</td>
                  <td title={d.reasons.map((r) => r.description).join('\n')}>
                    {d.reasons[0]?.description ?? '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

function ReviewQueue() {
  const [openOnly, setOpenOnly] = useState(false);
  const queue = useApi<{ reviews: ReviewItem[] }>(
    `/v1/fraud/reviews?limit=100${openOnly ? '&status=open' : ''}`,
    5000,
  );
  const me = useApi<Whoami>('/v1/auth/whoami');
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<Error>();

  const label = async (id: string, verdict: 'fraud' | 'legit') => {
    setBusy(id);
    setError(undefined);
    try {
      await api(`/v1/fraud/reviews/${encodeURIComponent(id)}/label`, {
        method: 'POST',
        body: { label: verdict, analyst: me.data?.actor ?? 'dashboard' },
      });
      queue.reload();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section className="card">
      <div className="toolbar">
        <h2>Review queue</h2>
        <label>
          <input type="checkbox" checked={openOnly} onChange={(e) => setOpenOnly(e.target.checked)} /> Open
          only
        </label>
      </div>
      <p className="muted">
        REVIEW and BLOCK decisions, newest first. An analyst's label feeds the merchant and device fraud rates
        and the next training set.
      </p>
      {error && <ErrorBox error={error} />}
      <Async state={queue} what="Loading the review queue">
        {({ reviews }) =>
          reviews.length === 0 ? (
            <Empty>
              {openOnly ? 'Nothing is waiting for review.' : 'No decision has been queued for review.'}
            </Empty>
          ) : (
            <div className="grid-scroll">
              <table className="grid" data-testid="review-queue">
                <thead>
                  <tr>
                    <th>Transaction</th>
                    <th>Label</th>
                    <th>Decision</th>
                    <th className="num">Score</th>
                    <th className="num">Amount</th>
                    <th>Reasons</th>
                    <th>Queued</th>
                  </tr>
                </thead>
                <tbody>
                  {reviews.map((r) => (
                    <tr key={r.transaction_id} data-review={r.transaction_id}>
                      <td title={`user ${r.transaction.user_id}, merchant ${r.transaction.merchant_id}`}>
                        {r.transaction_id}
                      </td>
                      <td className="actions" data-testid="review-state">
                        {r.status === 'labelled' ? (
                          <span
                            title={r.analyst ?? undefined}
                            className={`badge ${r.label === 'fraud' ? 'failed' : 'succeeded'}`}
                          >
                            {r.label}
                          </span>
                        ) : (
                          <>
                            <button
                              type="button"
                              disabled={busy !== undefined}
                              onClick={() => void label(r.transaction_id, 'fraud')}
                            >
                              Fraud
                            </button>
                            <button
                              type="button"
                              disabled={busy !== undefined}
                              onClick={() => void label(r.transaction_id, 'legit')}
                            >
                              Legit
                            </button>
                          </>
                        )}
                      </td>
                      <td>
                        <DecisionBadge decision={r.decision} />
                      </td>
                      <td className="num">{r.score}</td>
                      <td className="num">{formatAmount(r.transaction.amount, r.transaction.currency)}</td>
                      <td title={r.reasons.map((x) => x.description).join('\n')}>
                        {r.reasons.map((x) => x.code).join(', ') || '—'}
                      </td>
                      <td title={r.created_at}>{formatWhen(r.created_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Async>
    </section>
  );
}

function DecisionBadge({ decision }: { decision: FraudDecision }) {
  return (
    <span
      className="badge decision"
      style={{ borderColor: DECISION_COLORS[decision], color: DECISION_COLORS[decision] }}
    >
      {decision}
    </span>
  );
}

function formatAmount(amount: number, currency: string): string {
  return `${formatNumber(Math.round(amount * 100) / 100)} ${currency}`;
}

function decisionChart(recent: RecentDecisions): ChartOption {
  return {
    grid: { ...baseGrid, top: 48 },
    legend: { top: 0, type: 'scroll' },
    tooltip: {
      trigger: 'item',
      formatter: (p: { seriesName: string; name: string; value: [string, number] }) =>
        `${p.name}: ${p.seriesName}, score ${p.value[1]}<br>${new Date(p.value[0]).toLocaleString()}`,
    },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: 'score', min: 0, max: 100 },
    series: DECISIONS.map((d) => ({
      name: d,
      type: 'scatter',
      symbolSize: 6,
      itemStyle: { color: DECISION_COLORS[d] },
      data: recent.decisions
        .filter((x) => x.decision === d)
        .map((x) => ({ value: [x.decided_at, x.score], name: x.transaction_id })),
    })),
  };
}
