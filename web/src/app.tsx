import { lazy, Suspense, useEffect, useState, type ComponentType } from 'react';
import { loginFromUrl, onUnauthorized } from './api/client';
import { LoginScreen } from './components/login-screen';
import { ErrorBox, Loading } from './components/status';
import { href, useRoute } from './router';

/** A page's code, fetched when the page is first opened, so the first load carries only one page. */
function page<K extends string, P>(load: () => Promise<Record<K, ComponentType<P>>>, name: K) {
  return lazy(async () => ({ default: (await load())[name] }));
}

const OverviewPage = page(() => import('./pages/overview'), 'OverviewPage');
const TablesPage = page(() => import('./pages/tables'), 'TablesPage');
const QueryPage = page(() => import('./pages/query'), 'QueryPage');
const ModelsPage = page(() => import('./pages/models'), 'ModelsPage');
const JobsPage = page(() => import('./pages/jobs'), 'JobsPage');
const SegmentsPage = page(() => import('./pages/segments'), 'SegmentsPage');
const AnomaliesPage = page(() => import('./pages/anomalies'), 'AnomaliesPage');
const FraudPage = page(() => import('./pages/fraud'), 'FraudPage');

const PAGES = [
  { id: 'overview', label: 'Overview' },
  { id: 'tables', label: 'Tables' },
  { id: 'query', label: 'Query' },
  { id: 'models', label: 'Models' },
  { id: 'jobs', label: 'Jobs' },
  { id: 'segments', label: 'Segments' },
  { id: 'anomalies', label: 'Anomalies' },
  { id: 'fraud', label: 'Fraud' },
] as const;

export function App() {
  const route = useRoute();
  const [ready, setReady] = useState(false);
  const [loginError, setLoginError] = useState<Error>();
  const [unauthorized, setUnauthorized] = useState(false);

  useEffect(() => onUnauthorized(() => setUnauthorized(true)), []);
  useEffect(() => {
    loginFromUrl().then(
      () => setReady(true),
      (error: unknown) => {
        setLoginError(error instanceof Error ? error : new Error(String(error)));
        setReady(true);
      },
    );
  }, []);

  if (unauthorized) return <LoginScreen />;
  const current = route[0] ?? 'overview';
  return (
    <div className="shell">
      <header className="top">
        <a className="brand" href={href('overview')}>
          Cairn
        </a>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
            <a key={p.id} href={href(p.id)} aria-current={current === p.id ? 'page' : undefined}>
              {p.label}
            </a>
          ))}
        </nav>
      </header>
      <main className="page">
        {loginError && <ErrorBox error={loginError} />}
        {!ready ? (
          <Loading what="Signing in" />
        ) : (
          <Suspense fallback={<Loading what="Loading the page" />}>
            <Page page={current} rest={route.slice(1)} />
          </Suspense>
        )}
      </main>
    </div>
  );
}

function Page({ page, rest }: { page: string; rest: string[] }) {
  switch (page) {
    case 'tables':
      return <TablesPage table={rest[0]} />;
    case 'query':
      return <QueryPage />;
    case 'models':
      return <ModelsPage model={rest[0]} version={rest[1] === undefined ? undefined : Number(rest[1])} />;
    case 'jobs':
      return <JobsPage job={rest[0]} />;
    case 'segments':
      return <SegmentsPage model={rest[0]} />;
    case 'anomalies':
      return <AnomaliesPage model={rest[0]} />;
    case 'fraud':
      return <FraudPage />;
    case 'overview':
      return <OverviewPage />;
    default:
      return <ErrorBox error={new Error(`There is no page '${page}'.`)} />;
  }
}
