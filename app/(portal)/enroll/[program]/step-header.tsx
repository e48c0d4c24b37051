import { StepList } from "@/components/enrollment/step-list";
import type { StepId } from "@/lib/enrollment/rules";
import type { EnrollmentView } from "@/lib/enrollment/service";

/** Title, who the application is for, the step list, and the administrator's request for changes. */
export function StepHeader({ view, current, title }: { view: EnrollmentView; current: StepId; title: string }) {
  const e = view.enrollment;
  return (
    <>
      <p className="muted" style={{ margin: 0 }}>
        {view.program.name} · {view.kindLabel} enrollment
      </p>
      <h1>{title}</h1>
      {view.forPrescriber ? (
        <p>
          You are preparing this enrollment for <strong>{view.forPrescriber.name}</strong>. Only they can complete the
          training and the assessment and sign it.
        </p>
      ) : null}
      <StepList
        programCode={view.program.code}
        steps={view.progress}
        current={current}
        started={e !== null}
        forPrescriberId={view.forPrescriber?.id ?? null}
      />
      {e?.status === "CHANGES_REQUESTED" ? (
        <div className="banner warn">
          <strong>The REMS administrator asked for changes:</strong>
          <p style={{ margin: "0.25rem 0 0", whiteSpace: "pre-wrap" }}>{e.statusReason ?? "See your e-mail."}</p>
          <p style={{ margin: "0.25rem 0 0" }}>Make the changes, then review and sign the application again.</p>
        </div>
      ) : null}
    </>
  );
}
