import { type FormEvent, useEffect, useState } from "react";
import { ConsoleViewerDocument, type Role } from "../../src/generated/graphql/graphql";
import { describeError, request, session } from "./api";
import { AnomaliesView } from "./views/Anomalies";
import { BudgetsView } from "./views/Budgets";
import { FeedView } from "./views/Feed";
import { FreshnessView } from "./views/Freshness";
import { PrivacyView } from "./views/Privacy";
import { RequestsView } from "./views/Requests";

export interface ViewProps {
  apiKey: string;
  role: Role;
}

const VIEWS = [
  { id: "anomalies", label: "Anomalies", View: AnomaliesView },
  { id: "budgets", label: "Budgets", View: BudgetsView },
  { id: "privacy", label: "Privacy", View: PrivacyView },
  { id: "freshness", label: "Freshness & jobs", View: FreshnessView },
  { id: "feed", label: "Feed & actions", View: FeedView },
  { id: "requests", label: "Requests", View: RequestsView },
] as const;
type ViewId = (typeof VIEWS)[number]["id"];

/** The view named by the URL's fragment (#budgets); the key is never in the URL. */
function viewOfHash(): ViewId {
  const id = window.location.hash.slice(1);
  return VIEWS.find((view) => view.id === id)?.id ?? "anomalies";
}

export function App() {
  const [signedIn, setSignedIn] = useState<{ apiKey: string; role: Role } | null>(null);
  const [checking, setChecking] = useState(session.key() !== null);
  const [view, setView] = useState<ViewId>(viewOfHash);

  useEffect(() => {
    const onHash = () => setView(viewOfHash());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  // A key kept from earlier in this tab: check it again before showing anything.
  useEffect(() => {
    const kept = session.key();
    if (kept === null) return;
    request(ConsoleViewerDocument, {}, kept).then(
      ({ viewer }) => {
        if (viewer.role === "INTERNAL" || viewer.role === "OPERATOR")
          setSignedIn({ apiKey: kept, role: viewer.role });
        else session.clear();
        setChecking(false);
      },
      () => {
        session.clear();
        setChecking(false);
      },
    );
  }, []);

  if (checking) return <p className="state">Checking the saved key…</p>;
  if (signedIn === null) return <SignIn onSignedIn={setSignedIn} />;

  const current = VIEWS.find((candidate) => candidate.id === view) ?? VIEWS[0];
  return (
    <div className="shell">
      <header className="top">
        <h1>Insights console</h1>
        <nav aria-label="Views">
          <ul>
            {VIEWS.map((candidate) => (
              <li key={candidate.id}>
                <a href={`#${candidate.id}`} aria-current={candidate.id === view ? "page" : undefined}>
                  {candidate.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span className="role" data-testid="role">
            {signedIn.role}
          </span>
          <button
            type="button"
            onClick={() => {
              session.clear();
              setSignedIn(null);
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main>
        <h2>{current.label}</h2>
        <current.View apiKey={signedIn.apiKey} role={signedIn.role} />
      </main>
    </div>
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (who: { apiKey: string; role: Role }) => void }) {
  const [key, setKey] = useState("");
  const [message, setMessage] = useState<{ title: string; hint: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const apiKey = key.trim();
    if (apiKey === "") {
      setMessage({
        title: "Paste a key first.",
        hint: "npm start prints the demo OPERATOR and INTERNAL keys.",
      });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const { viewer } = await request(ConsoleViewerDocument, {}, apiKey);
      if (viewer.role === "INTERNAL" || viewer.role === "OPERATOR") {
        session.save(apiKey);
        onSignedIn({ apiKey, role: viewer.role });
        return;
      }
      setMessage({
        title: `The console is not for ${viewer.role} keys.`,
        hint:
          viewer.role === "BUYER"
            ? "Buyers read insights through the GraphQL API (/graphql). Sign in here with an INTERNAL or OPERATOR key."
            : "Tenants import through importProjects on /graphql. Sign in here with an INTERNAL or OPERATOR key.",
      });
      setKey("");
    } catch (error) {
      setMessage(describeError(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <h1>Insights console</h1>
      <p>For operators: anomalies, budgets, the privacy ledger, freshness, the ops feed and requests.</p>
      {/* No name on the input and no action: the key can never be submitted into a URL. */}
      <form onSubmit={submit} method="post" noValidate>
        <label htmlFor="api-key">API key (INTERNAL or OPERATOR)</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(event) => setKey(event.target.value)}
        />
        <p className="hint">Kept in this tab's session storage only, until you sign out or close the tab.</p>
        <button type="submit" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
      {message === null ? null : (
        <div className="state state-error" role="alert">
          <p>
            <strong>{message.title}</strong>
          </p>
          <p>{message.hint}</p>
        </div>
      )}
    </main>
  );
}
