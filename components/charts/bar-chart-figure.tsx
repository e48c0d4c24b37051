"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
}

type Row = Record<string, string | number>;

/**
 * A bar chart with its numbers as a table. The chart is for sighted users and hidden from
 * assistive technology; the caption summarises it and the table (open it with the disclosure) is
 * the accessible alternative with every value. `horizontal` lays bars out sideways, for long labels.
 */
export function BarChartFigure(props: {
  id: string;
  caption: string;
  rows: Row[];
  /** The row field naming each bar (a day, a month, a reason). */
  category: { key: string; label: string };
  series: readonly ChartSeries[];
  stacked?: boolean;
  horizontal?: boolean;
  /** Shown instead of the chart when every value is zero. */
  empty: string;
  tableCaption: string;
}) {
  const { id, caption, rows, category, series, stacked, horizontal, empty, tableCaption } = props;
  const total = rows.reduce((t, r) => t + series.reduce((s, x) => s + Number(r[x.key] ?? 0), 0), 0);
  return (
    <figure style={{ margin: 0 }} aria-labelledby={`${id}-caption`} data-testid={id}>
      <figcaption id={`${id}-caption`}>{caption}</figcaption>
      {total === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <div style={{ width: "100%", height: horizontal ? Math.max(160, rows.length * 36) : 240 }} aria-hidden="true">
          <ResponsiveContainer>
            <BarChart
              data={rows}
              layout={horizontal ? "vertical" : "horizontal"}
              margin={{ top: 12, right: 12, bottom: 4, left: horizontal ? 8 : 0 }}
              accessibilityLayer={false}
            >
              <CartesianGrid strokeDasharray="3 3" vertical={!!horizontal} horizontal={!horizontal} />
              {horizontal ? (
                <>
                  <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12 }} />
                  <YAxis type="category" dataKey={category.key} width={200} tick={{ fontSize: 12 }} />
                </>
              ) : (
                <>
                  <XAxis dataKey={category.key} tick={{ fontSize: 12 }} />
                  <YAxis allowDecimals={false} tick={{ fontSize: 12 }} width={36} />
                </>
              )}
              <Tooltip />
              {series.length > 1 ? <Legend /> : null}
              {series.map((s) => (
                <Bar
                  key={s.key}
                  dataKey={s.key}
                  name={s.label}
                  fill={s.color}
                  stackId={stacked ? "all" : undefined}
                  isAnimationActive={false}
                />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
      <details>
        <summary>Show the numbers as a table</summary>
        <table>
          <caption className="muted">{tableCaption}</caption>
          <thead>
            <tr>
              <th scope="col">{category.label}</th>
              {series.map((s) => (
                <th key={s.key} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={String(r[category.key])}>
                <th scope="row">{r[category.key]}</th>
                {series.map((s) => (
                  <td key={s.key}>{r[s.key] ?? 0}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
