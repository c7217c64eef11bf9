namespace Rebound.Act.Ddns.Rfc2136;

/// <summary>Builds the (unsigned) requests this client sends; names are written uncompressed.</summary>
public static class DnsMessageBuilder
{
    /// <summary>
    /// One atomic UPDATE (RFC 2136) for <paramref name="zone"/>: zone section = (zone, SOA, IN), no
    /// prerequisites, and for each name and type "delete RRset" (CLASS ANY, TTL 0, RDLENGTH 0) once,
    /// followed by "add RR" for every address given for it, in the order given.
    /// </summary>
    /// <exception cref="ArgumentException">No updates, or a name outside the zone.</exception>
    public static byte[] BuildUpdate(ushort id, DnsName zone, IReadOnlyList<DnsAddressUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(updates);
        if (updates.Count == 0)
            throw new ArgumentException("an UPDATE needs at least one record", nameof(updates));

        var records = new List<DnsRecord>(updates.Count * 2);
        var deleted = new HashSet<(DnsName, DnsRecordType)>();
        foreach (var update in updates)
        {
            ArgumentNullException.ThrowIfNull(update);
            if (!update.Name.IsSubdomainOf(zone))
                throw new ArgumentException($"{update.Name} is not in zone {zone}", nameof(updates));
            var add = DnsRecord.ForAddress(update.Name, update.Address, update.Ttl);
            if (deleted.Add((update.Name, add.Type)))
                records.Add(new DnsRecord(update.Name, add.Type, DnsClass.Any, 0, ReadOnlyMemory<byte>.Empty));
            records.Add(add);
        }

        if (records.Count > ushort.MaxValue)
            throw new ArgumentException("too many records for one message", nameof(updates));

        var writer = new DnsWireWriter();
        new DnsHeader(id, DnsHeader.MakeFlags(DnsOpcode.Update), 1, 0, (ushort)records.Count, 0).Write(writer);
        new DnsQuestion(zone, DnsRecordType.Soa).Write(writer);
        foreach (var record in records)
            record.Write(writer);
        return writer.ToArray();
    }

    /// <summary>A plain QUERY (RD clear: this asks an authoritative server, not a resolver).</summary>
    public static byte[] BuildQuery(ushort id, DnsName name, DnsRecordType type, DnsClass @class = DnsClass.IN)
    {
        ArgumentNullException.ThrowIfNull(name);
        var writer = new DnsWireWriter(DnsHeader.Length + name.Wire.Length + 4);
        new DnsHeader(id, DnsHeader.MakeFlags(DnsOpcode.Query), 1, 0, 0, 0).Write(writer);
        new DnsQuestion(name, type, @class).Write(writer);
        return writer.ToArray();
    }

    /// <summary>Writes a whole message (used by tests and fakes, and for round trips); TSIG is not added.</summary>
    public static byte[] Build(DnsMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var writer = new DnsWireWriter();
        var header = message.Header with
        {
            QuestionCount = (ushort)message.Questions.Count,
            AnswerCount = (ushort)message.Answers.Count,
            AuthorityCount = (ushort)message.Authorities.Count,
            AdditionalCount = (ushort)message.Additionals.Count,
        };
        header.Write(writer);
        foreach (var question in message.Questions)
            question.Write(writer);
        foreach (var record in message.Answers)
            record.Write(writer);
        foreach (var record in message.Authorities)
            record.Write(writer);
        foreach (var record in message.Additionals)
            record.Write(writer);
        return writer.ToArray();
    }
}
