import { formatDateTime } from "@/lib/format";
import { activeDiscretionPeriods } from "@/lib/dispensing/discretion";

/**
 * Shown on every pharmacist screen while a programme is under enforcement discretion, so nobody
 * mistakes an approval given with warnings for one that met every requirement.
 */
export async function DiscretionBanner() {
  const periods = await activeDiscretionPeriods();
  if (periods.length === 0) return null;
  return (
    <section className="banner warn" aria-labelledby="discretion-heading" data-testid="discretion-banner">
      <h2 id="discretion-heading" style={{ marginTop: 0 }}>
        Enforcement discretion in effect
      </h2>
      <ul>
        {periods.map((p) => (
          <li key={p.id}>
            <strong>{p.programName}</strong> until {formatDateTime(p.endsAt)}: {p.reason}
          </li>
        ))}
      </ul>
      <p style={{ marginBottom: 0 }}>
        Meanwhile, requirements that would normally deny a dispense are reported as warnings only. Read every warning,
        and resolve it with the person named: the REMS administrator follows up on each authorization given this way.
      </p>
    </section>
  );
}
