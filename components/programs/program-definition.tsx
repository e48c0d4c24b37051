import Link from "next/link";
import { ACTOR_LABELS } from "@/components/dispensing/reasons";
import { formatDenialReason, formatStakeholderKind } from "@/lib/format";
import { STAKEHOLDER_KINDS, type TProgramDefinition, type TStakeholderRequirement } from "@/lib/programs/schema";
import { passRuleText, programReasonRows } from "@/lib/programs/view";
import styles from "./program-view.module.css";

const FIELD_TYPE_LABELS: Record<string, string> = {
  text: "Text",
  textarea: "Longer text",
  email: "E-mail address",
  tel: "Phone number",
  date: "Date",
  select: "Choice",
  yesNo: "Yes or no",
  usState: "US state",
  zip: "ZIP code",
  npi: "NPI (check digit verified)",
  ncpdp: "NCPDP id (check digit verified)",
  dea: "DEA number (check digit verified)",
};

function days(n: number): string {
  return `${n} day${n === 1 ? "" : "s"}`;
}

function months(n: number): string {
  return `${n} month${n === 1 ? "" : "s"}`;
}

function Requirement({ kind, req }: { kind: string; req: TStakeholderRequirement }) {
  const label = formatStakeholderKind(kind);
  const id = `req-${kind}`;
  const assessment = req.knowledgeAssessment;
  return (
    <section aria-labelledby={id} className={styles.stakeholder}>
      <h2 id={id}>{label}: requirements</h2>
      <ul>
        <li>
          Certification lasts{" "}
          {req.recertificationMonths ? months(req.recertificationMonths) : "until withdrawn (no recertification)"}.
        </li>
        {req.minimumAgeYears ? (
          <li>Enrolling someone younger than {req.minimumAgeYears} years needs an explicit override with a reason.</li>
        ) : null}
        <li>Meaning of the electronic signature: “{req.signatureMeaning}”</li>
        {req.coSignature ? (
          <li>
            Co-signed by the {formatStakeholderKind(req.coSignature.by).toLowerCase()}, whose signature means “
            {req.coSignature.signatureMeaning}”.
          </li>
        ) : null}
      </ul>

      <h3>Enrollment form</h3>
      <table>
        <caption className="muted" style={{ textAlign: "left" }}>
          {label} enrollment form fields
        </caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Section</th>
            <th scope="col">Kind of answer</th>
            <th scope="col">Required</th>
          </tr>
        </thead>
        <tbody>
          {req.enrollmentForm.fields.map((f) => (
            <tr key={f.id}>
              <td>
                {f.label}
                {f.type === "select" ? ` (${f.options.map((o) => o.label).join(", ")})` : ""}
              </td>
              <td>{f.group ?? "—"}</td>
              <td>{FIELD_TYPE_LABELS[f.type] ?? f.type}</td>
              <td>{f.required ? "Yes" : "No"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {req.enrollmentForm.constraints?.map((c) => (
        <p key={c.fieldIds.join("-")}>{c.message}</p>
      ))}

      <h3>Attestations</h3>
      <ol>
        {req.attestations.map((a) => (
          <li key={a.id}>{a.text}</li>
        ))}
      </ol>
      {req.coSignature ? (
        <>
          <h3>Co-signer's attestations</h3>
          <ol>
            {req.coSignature.attestations.map((a) => (
              <li key={a.id}>{a.text}</li>
            ))}
          </ol>
        </>
      ) : null}

      {req.counselling ? (
        <>
          <h3>Counselling materials</h3>
          <ul>
            {req.counselling.materials.map((m) => (
              <li key={m.id}>
                <strong>{m.title}</strong>: {m.description}
              </li>
            ))}
          </ul>
        </>
      ) : null}

      {req.training ? (
        <>
          <h3>Training: {req.training.title}</h3>
          {req.training.sections.map((s, i) => (
            <div key={s.id} className={styles.paragraphs}>
              <h4>
                {i + 1}. {s.title}
                {s.requiresAcknowledgement ? " (acknowledgement required)" : ""}
              </h4>
              {s.paragraphs.map((p) => (
                <p key={p}>{p}</p>
              ))}
            </div>
          ))}
        </>
      ) : null}

      {assessment ? (
        <>
          <h3>Knowledge assessment, with the answer key</h3>
          <p>
            {passRuleText(assessment.passRule, assessment.questions.length)}.{" "}
            {assessment.maxAttemptsBeforeLockout
              ? `After ${assessment.maxAttemptsBeforeLockout} failed attempts the enrollment is held for review.`
              : "Retakes are unlimited."}
          </p>
          <ol>
            {assessment.questions.map((q) => (
              <li key={q.id} className={styles.question}>
                <p>
                  <strong>{q.topic}.</strong> {q.prompt}
                </p>
                <ul>
                  {q.options.map((o) => {
                    const correct = q.correctOptionIds.includes(o.id);
                    return (
                      <li key={o.id} className={correct ? styles.correct : undefined}>
                        {o.text}
                        {correct ? " — correct answer" : ""}
                      </li>
                    );
                  })}
                </ul>
                <p>Why: {q.explanation}</p>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}

/** The whole active definition of one programme, read-only, as it is printed for an inspector. */
export function ProgramDefinitionView({
  program,
  maxDiscretionDays,
}: {
  program: TProgramDefinition;
  maxDiscretionDays: number;
}) {
  const monitoring = program.monitoring;
  const courses = program.courses;
  const reasons = programReasonRows(program);
  const neverRelaxed = reasons.filter((r) => !r.relaxedUnderDiscretion);
  return (
    <div className={styles.definition}>
      <section aria-labelledby="overview">
        <h2 id="overview">Overview</h2>
        <p>{program.description}</p>
        <dl>
          <dt>Programme code and definition version</dt>
          <dd>
            {program.code}, version {program.version}
          </dd>
          <dt>Drug</dt>
          <dd>
            {program.drug.name} ({program.drug.genericName}), {program.drug.presentation}; dispensed by the{" "}
            {program.drug.dispenseUnit}
          </dd>
          <dt>NDCs</dt>
          <dd>{program.ndcs.join(", ")}</dd>
          <dt>Call centre</dt>
          <dd>
            {program.contact.phone}
            {program.contact.email ? `, ${program.contact.email}` : ""}
            {program.contact.hours ? ` (${program.contact.hours})` : ""}
          </dd>
          <dt>Electronic signatures</dt>
          <dd>
            {program.esignature.requireMfa
              ? "Every signer gives a second-factor code with the password at each signature."
              : "Password at each signature."}
          </dd>
        </dl>
      </section>

      {STAKEHOLDER_KINDS.map((kind) => {
        const req = program.stakeholders[kind];
        return req ? <Requirement key={kind} kind={kind} req={req} /> : null;
      })}

      <section aria-labelledby="monitoring" className={styles.stakeholder}>
        <h2 id="monitoring">Monitoring schedule</h2>
        {monitoring ? (
          <>
            <table>
              <caption className="muted" style={{ textAlign: "left" }}>
                Tests and exams
              </caption>
              <thead>
                <tr>
                  <th scope="col">Test</th>
                  <th scope="col">Code</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Every</th>
                  <th scope="col">Overdue after</th>
                  <th scope="col">Due soon from</th>
                </tr>
              </thead>
              <tbody>
                {monitoring.testTypes.map((t) => (
                  <tr key={t.code}>
                    <td>{t.name}</td>
                    <td>{t.code}</td>
                    <td>{t.kind === "lab" ? "Lab test" : "Exam"}</td>
                    <td>{days(t.intervalDays)}</td>
                    <td>{days(t.graceDays)} past the due date</td>
                    <td>{days(t.dueSoonDays)} before the due date</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p>
              Baseline before the first dose of each course, each result at most{" "}
              {days(monitoring.baseline.withinDaysBeforeFirstDose)} old:{" "}
              {monitoring.baseline.testCodes
                .map((code) => monitoring.testTypes.find((t) => t.code === code)?.name ?? code)
                .join(", ")}
              .
            </p>
            <p>
              Monitoring continues{" "}
              {monitoring.continueMonthsAfterLastDose === null
                ? "for as long as treatment continues"
                : `for ${months(monitoring.continueMonthsAfterLastDose)} after the last dose`}
              .
            </p>
            {monitoring.statusForm ? (
              <p>
                The prescriber submits a Patient Status Form every {months(monitoring.statusForm.periodMonths)} per
                patient (overdue {days(monitoring.statusForm.graceDays)} after it is due; due soon{" "}
                {days(monitoring.statusForm.dueSoonDays)} before). It asks:{" "}
                {monitoring.statusForm.form.fields.map((f) => f.label).join("; ")}.
              </p>
            ) : null}
          </>
        ) : (
          <p>This programme has no monitoring requirements.</p>
        )}
      </section>

      <section aria-labelledby="dispensing">
        <h2 id="dispensing">Treatment courses and dispensing</h2>
        {courses ? (
          <ul>
            <li>Dose: {courses.doseMgPerDay} mg a day.</li>
            <li>
              First course: {days(courses.first.consecutiveDays)} in a row, at most {courses.first.maxUnits}{" "}
              {program.drug.dispenseUnit}s.
            </li>
            <li>
              Every later course: {days(courses.subsequent.consecutiveDays)} in a row, at most{" "}
              {courses.subsequent.maxUnits} {program.drug.dispenseUnit}s.
            </li>
            <li>
              At least {months(courses.minMonthsBetweenCourses)} from the last dose of a course to the next course.
            </li>
          </ul>
        ) : (
          <p>Continuous treatment, without courses.</p>
        )}
        <p>
          An approved authorization may be used to dispense for {days(program.dispensing.authorizationValidityDays)}.
        </p>
        <table>
          <caption className="muted" style={{ textAlign: "left" }}>
            Why a dispense request is refused or warned about
          </caption>
          <thead>
            <tr>
              <th scope="col">Reason</th>
              <th scope="col">Effect</th>
              <th scope="col">Under enforcement discretion</th>
              <th scope="col">Who must act</th>
              <th scope="col">What the pharmacist reads (example)</th>
            </tr>
          </thead>
          <tbody>
            {reasons.map((r) => (
              <tr key={r.code}>
                <td>
                  {formatDenialReason(r.code)} <span className="muted">({r.code})</span>
                </td>
                <td>{r.policy === "block" ? "Blocks: the request is denied" : "Warns: approved with a warning"}</td>
                <td>{r.policy === "warn" ? "Warns" : r.relaxedUnderDiscretion ? "Only warns" : "Still blocks"}</td>
                <td>{ACTOR_LABELS[r.actor].replace("Your pharmacy", "The pharmacy")}</td>
                <td>{r.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="discretion">
        <h2 id="discretion">Enforcement discretion</h2>
        <p>
          An administrator may put the programme under enforcement discretion for at most {maxDiscretionDays} days at a
          time, with a reason. While it lasts, every blocking reason only warns, except:{" "}
          {neverRelaxed.map((r) => formatDenialReason(r.code)).join(", ")}. Every authorization given under discretion
          is marked and listed for follow-up.
        </p>
        <p className={styles.screenOnly}>
          <Link href="/admin/enforcement-discretion">Enforcement discretion periods and follow-up</Link>
        </p>
      </section>
    </div>
  );
}
