import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { signOutAction } from "@/lib/auth/actions";
import { ROLE_HOME } from "@/lib/auth/permissions";
import { getSignedInActor } from "@/lib/auth/session";
import { ROLE_LABELS } from "@/components/auth/role-labels";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "remsgate — REMS registry", template: "%s · remsgate" },
  description: "Enrollment, certification and dispense authorization for REMS programmes.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const actor = await getSignedInActor();
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <div className="inner">
            <Link href="/" className="brand">
              rems<span>gate</span>
            </Link>
            <nav className="site-nav" aria-label="Main">
              <Link href="/lookup">Certification lookup</Link>
              {actor ? (
                <>
                  <Link href={ROLE_HOME[actor.role]}>Dashboard</Link>
                  <Link href="/account">
                    {actor.name} <span className="role-badge">{ROLE_LABELS[actor.role]}</span>
                  </Link>
                  <form action={signOutAction}>
                    <button type="submit" className="button secondary">
                      Sign out
                    </button>
                  </form>
                </>
              ) : (
                <>
                  <Link href="/sign-in">Sign in</Link>
                  <Link href="/sign-up" className="button">
                    Enroll
                  </Link>
                </>
              )}
            </nav>
          </div>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
