"use client";

import { type ComponentProps, lazy } from "react";
import type { DispenseForm as Form } from "./dispense-form";

const LazyForm = lazy(() => import("./dispense-form").then((m) => ({ default: m.DispenseForm })));

/**
 * The pharmacist's dispense form, split out of the page's first load: the server renders it in
 * full (without JavaScript it is a plain form posting to its server action, as before), and the
 * browser fetches its code (react-hook-form and the form's own) once the page's scripts run, then
 * hydrates it. No Suspense boundary on purpose: the server waits for the form, so it is in the
 * HTML, never a fallback.
 */
export function DispenseForm(props: ComponentProps<typeof Form>) {
  return <LazyForm {...props} />;
}
