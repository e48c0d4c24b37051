/** The programme a lookup is about: a choice when the registry runs several, a fixed value otherwise. */
export function ProgramField({
  id,
  programs,
  selected,
}: {
  id: string;
  programs: { code: string; name: string }[];
  selected: string | undefined;
}) {
  const [only] = programs;
  if (programs.length === 1 && only) {
    return (
      <p className="muted">
        Programme: <strong>{only.name}</strong>
        <input type="hidden" name="program" value={only.code} />
      </p>
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>Programme</label>
      <select id={id} name="program" defaultValue={selected}>
        {programs.map((p) => (
          <option key={p.code} value={p.code}>
            {p.name}
          </option>
        ))}
      </select>
    </div>
  );
}
