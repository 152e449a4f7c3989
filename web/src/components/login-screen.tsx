/** Shown when the API answers 401: the dashboard needs the one-time link `cairn up` prints. */
export function LoginScreen() {
  return (
    <main className="login">
      <h1>Log in to Cairn</h1>
      <p>
        This server needs you to log in. Open the link that <code>cairn up</code> printed in its terminal (it
        ends in <code>?token=…</code>); it works once and signs this browser in.
      </p>
      <p>
        Lost the link? Stop the server and run <code>cairn up</code> again for a new one.
      </p>
    </main>
  );
}
