/** One headline figure with its label (and a note under it). */
export function Tile({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="tile">
      <div className="tile-value">{value}</div>
      <div className="tile-label">{label}</div>
      {note !== undefined && <div className="muted">{note}</div>}
    </div>
  );
}
