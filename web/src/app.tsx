import { useEffect, useState } from 'react';
import { loginFromUrl, onUnauthorized } from './api/client';
import { LoginScreen } from './components/login-screen';
import { ErrorBox, Loading } from './components/status';
import { JobsPage } from './pages/jobs';
import { ModelsPage } from './pages/models';
import { OverviewPage } from './pages/overview';
import { QueryPage } from './pages/query';
import { TablesPage } from './pages/tables';
import { href, useRoute } from './router';

const PAGES = [
  { id: 'overview', label: 'Overview' },
  { id: 'tables', label: 'Tables' },
  { id: 'query', label: 'Query' },
  { id: 'models', label: 'Models' },
  { id: 'jobs', label: 'Jobs' },
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
  const page = route[0] ?? 'overview';
  return (
    <div className="shell">
      <header className="top">
        <a className="brand" href={href('overview')}>
          Cairn
        </a>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
            <a key={p.id} href={href(p.id)} aria-current={page === p.id ? 'page' : undefined}>
              {p.label}
            </a>
          ))}
        </nav>
      </header>
      <main className="page">
        {loginError && <ErrorBox error={loginError} />}
        {!ready ? <Loading what="Signing in" /> : <Page page={page} rest={route.slice(1)} />}
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
    case 'overview':
      return <OverviewPage />;
    default:
      return <ErrorBox error={new Error(`There is no page '${page}'.`)} />;
  }
}
