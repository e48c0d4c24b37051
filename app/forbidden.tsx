import Link from "next/link";

export default function Forbidden() {
  return (
    <div className="narrow">
      <h1>Access denied</h1>
      <p>
        Your account does not have access to this page. The attempt has been recorded. If you think you should have
        access, contact your REMS administrator.
      </p>
      <Link href="/dashboard" className="button secondary">
        Go to your dashboard
      </Link>
    </div>
  );
}
