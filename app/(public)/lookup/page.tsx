import type { Metadata } from "next";
import { headers } from "next/headers";
import { OrganisationResults, PrescriberResult } from "@/components/lookup/results";
import { OrganisationSearchForm, PrescriberSearchForm } from "@/components/lookup/search-forms";
import { FormBanner } from "@/components/ui/field";
import { isAppError } from "@/lib/errors";
import { clientIp } from "@/lib/http/client-ip";
import {
  enforceLookupRateLimit,
  listLookupPrograms,
  lookupPrescriberCertified,
  searchOrganisations,
} from "@/lib/lookup/service";

export const metadata: Metadata = { title: "Certification lookup" };

type Search = Promise<Record<string, string | string[] | undefined>>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** Runs a lookup; user-facing refusals (bad input, unknown programme, rate limit) become messages. */
async function attempt<T>(run: () => Promise<T>) {
  try {
    return { ok: true as const, value: await run() };
  } catch (error) {
    if (!isAppError(error)) throw error;
    const field = error.details?.fields ? Object.values(error.details.fields)[0]?.[0] : undefined;
    return { ok: false as const, code: error.code, message: error.message, field };
  }
}

export default async function LookupPage({ searchParams }: { searchParams: Search }) {
  const params = await searchParams;
  const programs = await listLookupPrograms();
  const program = one(params.program) ?? programs[0]?.code ?? "";
  const programName = programs.find((p) => p.code === program)?.name ?? program;
  const q = one(params.q);
  const npi = one(params.npi);
  const ip = clientIp(await headers());

  const orgs =
    q === undefined
      ? null
      : await attempt(async () => {
          await enforceLookupRateLimit("page", ip);
          return searchOrganisations(program, q);
        });
  const prescriber =
    npi === undefined
      ? null
      : await attempt(async () => {
          await enforceLookupRateLimit("page", ip);
          return lookupPrescriberCertified(program, npi.replace(/[\s-]/g, ""));
        });
  const refusal = [orgs, prescriber].find((r) => r && !r.ok && !r.field);

  return (
    <>
      <h1>Certification lookup</h1>
      <p className="muted">
        Check whether a pharmacy, healthcare setting or prescriber is certified in a REMS programme. No account is
        needed.
      </p>
      {refusal && !refusal.ok ? <FormBanner kind="error">{refusal.message}</FormBanner> : null}
      <div className="grid">
        <OrganisationSearchForm
          programs={programs}
          program={program}
          q={q}
          error={orgs && !orgs.ok ? orgs.field : undefined}
        />
        <PrescriberSearchForm
          programs={programs}
          program={program}
          npi={npi}
          error={prescriber && !prescriber.ok ? prescriber.field : undefined}
        />
      </div>
      {orgs?.ok ? (
        <OrganisationResults
          query={q ?? ""}
          programName={orgs.value.program.name}
          results={orgs.value.results}
          truncated={orgs.value.truncated}
        />
      ) : null}
      {prescriber?.ok && npi ? (
        <PrescriberResult
          npi={npi.replace(/[\s-]/g, "")}
          certified={prescriber.value.certified}
          programName={programName}
        />
      ) : null}
    </>
  );
}
