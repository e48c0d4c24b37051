import Link from "next/link";

export default function NotFound() {
  return (
    <div className="narrow">
      <h1>Page not found</h1>
      <p>There is no page at this address. Check the address, or start again from the home page.</p>
      <Link href="/" className="button secondary">
        Go to the home page
      </Link>
    </div>
  );
}
