using Rebound.Act.Heal;

namespace Rebound.Act.Remedies;

/// <summary>hop-port as a rung of a heal ladder: the one translation of the hopper's outcomes into step results.</summary>
public static class HopPortStep
{
    /// <summary>The applied hop; a hop that does not apply (no NAT, nft missing) is not-applicable, a failed one failed.</summary>
    public static async ValueTask<HopResult> RunAsync(IPortHopper hopper, HopRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hopper);
        HopResult result;
        try
        {
            result = await hopper.HopAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HopPortException ex)
        {
            throw new HealActionException(ex.Message, ex);
        }
        catch (NftMissingException ex)
        {
            throw new HealActionNotApplicableException(ex.Message);
        }

        return result.Applied ? result : throw new HealActionNotApplicableException(result.NotApplicableReason ?? "does not apply");
    }
}
