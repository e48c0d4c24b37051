"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { AdherenceMonth } from "@/lib/dashboards/adherence";

const SERIES = [
  { key: "onTime", label: "On time", color: "#067647" },
  { key: "late", label: "Late", color: "#dc6803" },
  { key: "missed", label: "Missed", color: "#b42318" },
] as const;

/**
 * Monitoring results due each month and how they were met. The chart is for sighted users; the
 * same numbers are in the summary and the table below it, which is what assistive technology reads.
 */
export function AdherenceChart({ months, id = "adherence" }: { months: AdherenceMonth[]; id?: string }) {
  if (months.length === 0) {
    return <p className="muted">No monitoring was due yet: it starts with the first infusion.</p>;
  }
  const totals = months.reduce(
    (t, m) => ({ due: t.due + m.due, onTime: t.onTime + m.onTime, late: t.late + m.late, missed: t.missed + m.missed }),
    { due: 0, onTime: 0, late: 0, missed: 0 },
  );
  const percent = totals.due === 0 ? null : Math.round((totals.onTime / totals.due) * 100);
  return (
    <figure style={{ margin: 0 }} aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>
        {totals.due === 0
          ? "No monitoring result has fallen due yet."
          : `${totals.due} results due since the first infusion: ${totals.onTime} on time (${percent}%), ${totals.late} late, ${totals.missed} missed.`}
      </figcaption>
      <div style={{ width: "100%", height: 260 }} aria-hidden="true">
        <ResponsiveContainer>
          <BarChart data={months} margin={{ top: 12, right: 12, bottom: 4, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="month" tick={{ fontSize: 12 }} />
            <YAxis allowDecimals={false} tick={{ fontSize: 12 }} width={32} />
            <Tooltip />
            <Legend />
            {SERIES.map((s) => (
              <Bar key={s.key} dataKey={s.key} name={s.label} stackId="due" fill={s.color} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <details>
        <summary>Show the numbers as a table</summary>
        <table>
          <caption className="muted">Monitoring results due per month</caption>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col">Due</th>
              {SERIES.map((s) => (
                <th key={s.key} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {months.map((m) => (
              <tr key={m.month}>
                <th scope="row">{m.month}</th>
                <td>{m.due}</td>
                <td>{m.onTime}</td>
                <td>{m.late}</td>
                <td>{m.missed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
