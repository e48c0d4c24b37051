// The pharmacy screens still import the date formatters from here; lib/format.ts is the one module.
export { formatDate, formatDateTime } from "@/lib/format";
